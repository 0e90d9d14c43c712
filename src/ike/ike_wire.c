/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ike_wire.c - see ike_wire.h (stub: not implemented yet). */
#include "ike_wire.h"

int ike_hdr_parse(const uint8_t *buf, size_t len, struct ike_hdr *h)
{
	(void)buf;
	(void)len;
	(void)h;
	return IKE_E_UNSUPPORTED;
}

int ike_hdr_write(uint8_t *buf, size_t cap, const struct ike_hdr *h)
{
	(void)buf;
	(void)cap;
	(void)h;
	return IKE_E_UNSUPPORTED;
}

int ike_payload_known(uint8_t type)
{
	(void)type;
	return IKE_E_UNSUPPORTED;
}

int ike_chain_parse(const uint8_t *p, size_t len, size_t base_off, uint8_t first, int allow_sk,
		    struct ike_chain *c)
{
	(void)p;
	(void)len;
	(void)base_off;
	(void)first;
	(void)allow_sk;
	(void)c;
	return IKE_E_UNSUPPORTED;
}

const struct ike_payload *ike_chain_find(const struct ike_chain *c, uint8_t type, unsigned nth)
{
	(void)c;
	(void)type;
	(void)nth;
	return NULL;
}

unsigned ike_chain_count(const struct ike_chain *c, uint8_t type)
{
	(void)c;
	(void)type;
	return 0;
}

int ike_msg_parse(const uint8_t *buf, size_t len, struct ike_msg *m)
{
	(void)buf;
	(void)len;
	(void)m;
	return IKE_E_UNSUPPORTED;
}

int ike_ke_parse(const struct ike_payload *p, struct ike_ke *ke)
{
	(void)p;
	(void)ke;
	return IKE_E_UNSUPPORTED;
}

int ike_nonce_parse(const struct ike_payload *p, const uint8_t **nonce, size_t *len)
{
	(void)p;
	(void)nonce;
	(void)len;
	return IKE_E_UNSUPPORTED;
}

int ike_id_parse(const struct ike_payload *p, struct ike_id *id)
{
	(void)p;
	(void)id;
	return IKE_E_UNSUPPORTED;
}

int ike_auth_parse(const struct ike_payload *p, struct ike_auth *a)
{
	(void)p;
	(void)a;
	return IKE_E_UNSUPPORTED;
}

int ike_notify_parse(const struct ike_payload *p, struct ike_notify *n)
{
	(void)p;
	(void)n;
	return IKE_E_UNSUPPORTED;
}

int ike_delete_parse(const struct ike_payload *p, struct ike_delete *d)
{
	(void)p;
	(void)d;
	return IKE_E_UNSUPPORTED;
}

int ike_ts_parse(const struct ike_payload *p, struct ike_ts *out, unsigned cap, unsigned *n)
{
	(void)p;
	(void)out;
	(void)cap;
	(void)n;
	return IKE_E_UNSUPPORTED;
}

int ike_attr_next(const uint8_t **p, size_t *left, struct ike_attr *a)
{
	(void)p;
	(void)left;
	(void)a;
	return IKE_E_UNSUPPORTED;
}

void ike_build_init(struct ike_builder *b, uint8_t *buf, size_t cap, const struct ike_hdr *h)
{
	(void)b;
	(void)buf;
	(void)cap;
	(void)h;
}

size_t ike_build_begin(struct ike_builder *b, uint8_t type, int critical)
{
	(void)b;
	(void)type;
	(void)critical;
	return 0;
}

void ike_build_bytes(struct ike_builder *b, const void *p, size_t n)
{
	(void)b;
	(void)p;
	(void)n;
}

void ike_build_u8(struct ike_builder *b, uint8_t v)
{
	(void)b;
	(void)v;
}

void ike_build_u16(struct ike_builder *b, uint16_t v)
{
	(void)b;
	(void)v;
}

void ike_build_u32(struct ike_builder *b, uint32_t v)
{
	(void)b;
	(void)v;
}

size_t ike_build_reserve(struct ike_builder *b, size_t n)
{
	(void)b;
	(void)n;
	return 0;
}

void ike_build_end(struct ike_builder *b, size_t off)
{
	(void)b;
	(void)off;
}

int ike_build_finish(struct ike_builder *b, size_t *len)
{
	(void)b;
	(void)len;
	return IKE_E_UNSUPPORTED;
}

void ike_put_ke(struct ike_builder *b, uint16_t group, const uint8_t *data, size_t len)
{
	(void)b;
	(void)group;
	(void)data;
	(void)len;
}

void ike_put_nonce(struct ike_builder *b, const uint8_t *nonce, size_t len)
{
	(void)b;
	(void)nonce;
	(void)len;
}

void ike_put_id(struct ike_builder *b, uint8_t type_, uint8_t id_type, const uint8_t *data,
		size_t len)
{
	(void)b;
	(void)type_;
	(void)id_type;
	(void)data;
	(void)len;
}

void ike_put_auth(struct ike_builder *b, uint8_t method, const uint8_t *data, size_t len)
{
	(void)b;
	(void)method;
	(void)data;
	(void)len;
}

void ike_put_notify(struct ike_builder *b, uint8_t proto, const uint8_t *spi, uint8_t spi_size,
		    uint16_t type, const uint8_t *data, size_t len)
{
	(void)b;
	(void)proto;
	(void)spi;
	(void)spi_size;
	(void)type;
	(void)data;
	(void)len;
}

void ike_put_delete(struct ike_builder *b, uint8_t proto, uint8_t spi_size, const uint8_t *spis,
		    uint16_t n_spi)
{
	(void)b;
	(void)proto;
	(void)spi_size;
	(void)spis;
	(void)n_spi;
}

void ike_put_vendor(struct ike_builder *b, const uint8_t *vid, size_t len)
{
	(void)b;
	(void)vid;
	(void)len;
}

void ike_put_ts(struct ike_builder *b, uint8_t type_, const struct ike_ts *ts, unsigned n)
{
	(void)b;
	(void)type_;
	(void)ts;
	(void)n;
}

void ike_put_attr_tv(struct ike_builder *b, uint16_t type, uint16_t value)
{
	(void)b;
	(void)type;
	(void)value;
}

void ike_put_attr_tlv(struct ike_builder *b, uint16_t type, const uint8_t *data, size_t len)
{
	(void)b;
	(void)type;
	(void)data;
	(void)len;
}
