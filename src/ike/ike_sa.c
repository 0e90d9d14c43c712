/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ike_sa.c - see ike_sa.h (stub: not implemented yet). */
#include "ike_sa.h"

int ike_sa_parse(const struct ike_payload *p, struct ike_proposal *out, unsigned cap, unsigned *n)
{
	(void)p;
	(void)out;
	(void)cap;
	(void)n;
	return IKE_E_UNSUPPORTED;
}

void ike_put_sa(struct ike_builder *b, const struct ike_proposal *props, unsigned n)
{
	(void)b;
	(void)props;
	(void)n;
}

const struct ike_transform *ike_proposal_get(const struct ike_proposal *p, uint8_t type)
{
	(void)p;
	(void)type;
	return NULL;
}

void ike_proposal_init(struct ike_proposal *p, uint8_t num, uint8_t proto, const uint8_t *spi,
		       uint8_t spi_size)
{
	(void)p;
	(void)num;
	(void)proto;
	(void)spi;
	(void)spi_size;
}

int ike_proposal_add(struct ike_proposal *p, uint8_t type, uint16_t id, uint16_t key_bits)
{
	(void)p;
	(void)type;
	(void)id;
	(void)key_bits;
	return IKE_E_UNSUPPORTED;
}

void ike_type_set_standard(struct ike_type_set *s)
{
	(void)s;
}

void ike_type_set_add(struct ike_type_set *s, uint8_t type)
{
	(void)s;
	(void)type;
}

int ike_type_set_has(const struct ike_type_set *s, uint8_t type)
{
	(void)s;
	(void)type;
	return IKE_E_UNSUPPORTED;
}

int ike_sa_select(const struct ike_proposal *ours, unsigned n_ours,
		  const struct ike_proposal *theirs, unsigned n_theirs,
		  const struct ike_type_set *known, struct ike_sa_choice *out)
{
	(void)ours;
	(void)n_ours;
	(void)theirs;
	(void)n_theirs;
	(void)known;
	(void)out;
	return IKE_E_UNSUPPORTED;
}

int ike_sa_check_reply(const struct ike_proposal *sent, unsigned n_sent,
		       const struct ike_proposal *reply, unsigned n_reply, unsigned *sent_idx)
{
	(void)sent;
	(void)n_sent;
	(void)reply;
	(void)n_reply;
	(void)sent_idx;
	return IKE_E_UNSUPPORTED;
}
