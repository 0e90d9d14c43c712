/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ike_wire.h - IKEv2 message codec (RFC 7296 §3): the 28-octet header,
 * the generic payload chain, the simple payload bodies (KE, Nonce, ID,
 * AUTH, Notify, Delete, Vendor ID, TSi/TSr) and a message builder.
 *
 * Parsing never copies: the views point into the caller's buffer, which
 * must outlive them.  The chain walker is strict: every generic Length is
 * checked against what is left, the chain must end (Next Payload 0) exactly
 * at the end of the bytes, an SK payload must be the last one, unknown
 * payloads without the critical bit are skipped (and counted), an unknown
 * critical one refuses the whole chain with IKE_E_CRITICAL.
 *
 * Building writes into a caller buffer with an explicit capacity.  Errors
 * are sticky: after the first IKE_E_NOSPACE every further call does
 * nothing and ike_build_finish() reports it, so a sequence of ike_put_*()
 * calls needs one check at the end.  The builder links the Next Payload
 * fields itself and fills every Length field, so the bytes are final
 * (the SK AAD included) before ike_sk_seal() (ike_sk.h) encrypts.
 *
 * The SA payload is in ike_sa.h, KD in ike_kd.h, SK in ike_sk.h.
 */
#ifndef EESP_IKE_WIRE_H
#define EESP_IKE_WIRE_H

#include <stddef.h>
#include <stdint.h>

#include "ike_err.h"
#include "ike_proto.h"

/* ------------------------------------------------------------ header -- */

struct ike_hdr {
	uint8_t spi_i[IKE_SPI_LEN];
	uint8_t spi_r[IKE_SPI_LEN];
	uint8_t next_payload;
	uint8_t version; /* as received; ike_hdr_write() always writes 0x20 */
	uint8_t exch_type;
	uint8_t flags; /* IKE_FLAG_* */
	uint32_t msg_id;
	uint32_t length; /* whole message, header included */
};

/* Decode the header of a datagram of len octets.  Refuses: len < 28
 * (TRUNCATED), major version != 2 (BAD_VERSION; the daemon may answer
 * INVALID_MAJOR_VERSION), Length > IKE_MSG_MAX (OVERSIZE), Length !=
 * len (BAD_LENGTH). */
int ike_hdr_parse(const uint8_t *buf, size_t len, struct ike_hdr *h);

/* Encode h into the first 28 octets of buf (cap >= 28, else NOSPACE). */
int ike_hdr_write(uint8_t *buf, size_t cap, const struct ike_hdr *h);

/* ------------------------------------------------------ payload chain -- */

#define IKE_MAX_PAYLOADS 32

struct ike_payload {
	uint8_t type;
	uint8_t critical;    /* the C bit as received */
	const uint8_t *body; /* after the generic header */
	size_t body_len;
	size_t off; /* offset of the generic header in the walked bytes' base */
};

struct ike_chain {
	struct ike_payload pl[IKE_MAX_PAYLOADS];
	unsigned n;
	unsigned skipped;      /* unknown non-critical payloads passed over */
	uint8_t critical_type; /* the payload type when IKE_E_CRITICAL */
};

/* Payload types this parser knows (RFC 7296 33-48, KD 52): for those the
 * C bit is ignored; every other type is "unknown". */
int ike_payload_known(uint8_t type);

/*
 * Walk the chain in p[0..len) whose first type is `first` (0: no payload,
 * then len must be 0).  base_off is added to each payload's off (so that
 * offsets are relative to the message).  With allow_sk, an SK payload
 * ends the chain and must reach exactly the end (else SK_NOT_LAST); its
 * Next Payload (the first inner type) is not followed.  Without allow_sk
 * (an SK's plaintext) an SK payload is MALFORMED.
 */
int ike_chain_parse(const uint8_t *p, size_t len, size_t base_off, uint8_t first, int allow_sk,
		    struct ike_chain *c);

/* nth (0-based) payload of a type in the chain, NULL when absent. */
const struct ike_payload *ike_chain_find(const struct ike_chain *c, uint8_t type, unsigned nth);
unsigned ike_chain_count(const struct ike_chain *c, uint8_t type);

/* A whole message: header plus its outer chain. */
struct ike_msg {
	struct ike_hdr hdr;
	const uint8_t *raw; /* the datagram */
	size_t len;
	struct ike_chain outer;
	int sk;		  /* index of the SK payload in outer.pl, -1 if none */
	uint8_t sk_first; /* SK's Next Payload: type of the first inner payload */
};

/* ike_hdr_parse() then ike_chain_parse(allow_sk = 1) over the rest. */
int ike_msg_parse(const uint8_t *buf, size_t len, struct ike_msg *m);

/* ----------------------------------------------------- payload bodies -- */
/* Each parser takes a payload from a chain and checks its body's framing. */

struct ike_ke {
	uint16_t group;
	const uint8_t *data;
	size_t len;
};
int ike_ke_parse(const struct ike_payload *p, struct ike_ke *ke);

/* Nonce: 16..256 octets (else MALFORMED). */
int ike_nonce_parse(const struct ike_payload *p, const uint8_t **nonce, size_t *len);

struct ike_id {
	uint8_t type; /* IKE_ID_* */
	const uint8_t *data;
	size_t len;
	/* IDx' of the AUTH computation: IDType | RESERVED(3) | data */
	const uint8_t *body;
	size_t body_len;
};
/* Data non-empty; IPv4 exactly 4 octets, IPv6 16. */
int ike_id_parse(const struct ike_payload *p, struct ike_id *id);

struct ike_auth {
	uint8_t method; /* IKE_AUTH_* */
	const uint8_t *data;
	size_t len;
};
int ike_auth_parse(const struct ike_payload *p, struct ike_auth *a);

struct ike_notify {
	uint8_t proto;
	uint8_t spi_size;
	uint16_t type; /* IKE_N_* */
	const uint8_t *spi;
	const uint8_t *data;
	size_t len;
};
int ike_notify_parse(const struct ike_payload *p, struct ike_notify *n);

struct ike_delete {
	uint8_t proto;
	uint8_t spi_size;
	uint16_t n_spi;
	const uint8_t *spis; /* n_spi * spi_size octets */
};
/* The body must be exactly 4 + n_spi * spi_size octets. */
int ike_delete_parse(const struct ike_payload *p, struct ike_delete *d);

struct ike_ts {
	uint8_t type; /* IKE_TS_IPV4_ADDR_RANGE / IPV6 */
	uint8_t ip_proto;
	uint16_t start_port, end_port;
	uint8_t start[16], end[16]; /* 4 or 16 octets used */
};
/* TSi/TSr into out[cap]; an unknown TS type gives UNSUPPORTED, more
 * selectors than cap TOO_MANY. */
int ike_ts_parse(const struct ike_payload *p, struct ike_ts *out, unsigned cap, unsigned *n);

/* Data attributes (RFC 7296 §3.3.5), shared by SA transforms and KD key
 * bags: AF=1 is TV (2-octet value, no length), AF=0 is TLV. */
struct ike_attr {
	uint16_t type; /* without the AF bit */
	uint8_t tv;    /* 1: TV form, value in `value` */
	uint16_t value;
	const uint8_t *data; /* TLV value */
	size_t len;
};
/* Decode the attribute at *p (with *left octets left) and advance past it.
 * The caller loops while *left > 0; framing errors give BAD_ATTR. */
int ike_attr_next(const uint8_t **p, size_t *left, struct ike_attr *a);

/* ------------------------------------------------------------ builder -- */

struct ike_builder {
	uint8_t *buf;
	size_t cap;
	size_t len;
	size_t np_off; /* where the next payload's type is to be written */
	int err;       /* sticky: first error */
};

/* Start a message: writes the header (Length filled by finish). */
void ike_build_init(struct ike_builder *b, uint8_t *buf, size_t cap, const struct ike_hdr *h);

/* Open a payload of `type`: links it into the chain, writes its generic
 * header, returns its offset for ike_build_end() (garbage after an error,
 * which end() then ignores). */
size_t ike_build_begin(struct ike_builder *b, uint8_t type, int critical);
/* Append raw octets / big-endian integers to the open payload. */
void ike_build_bytes(struct ike_builder *b, const void *p, size_t n);
void ike_build_u8(struct ike_builder *b, uint8_t v);
void ike_build_u16(struct ike_builder *b, uint16_t v);
void ike_build_u32(struct ike_builder *b, uint32_t v);
/* Reserve n octets (zeroed), returning their offset. */
size_t ike_build_reserve(struct ike_builder *b, size_t n);
/* Close the payload opened at off: fills its Length. */
void ike_build_end(struct ike_builder *b, size_t off);

/* Fill the header's Length and return the builder's error; *len = total. */
int ike_build_finish(struct ike_builder *b, size_t *len);

/* Whole payloads. type_ is IKE_PT_IDI/IDR or IKE_PT_TSI/TSR where asked. */
void ike_put_ke(struct ike_builder *b, uint16_t group, const uint8_t *data, size_t len);
void ike_put_nonce(struct ike_builder *b, const uint8_t *nonce, size_t len);
void ike_put_id(struct ike_builder *b, uint8_t type_, uint8_t id_type, const uint8_t *data,
		size_t len);
void ike_put_auth(struct ike_builder *b, uint8_t method, const uint8_t *data, size_t len);
void ike_put_notify(struct ike_builder *b, uint8_t proto, const uint8_t *spi, uint8_t spi_size,
		    uint16_t type, const uint8_t *data, size_t len);
void ike_put_delete(struct ike_builder *b, uint8_t proto, uint8_t spi_size, const uint8_t *spis,
		    uint16_t n_spi);
void ike_put_vendor(struct ike_builder *b, const uint8_t *vid, size_t len);
void ike_put_ts(struct ike_builder *b, uint8_t type_, const struct ike_ts *ts, unsigned n);
/* One attribute into the open payload (TV when tv, else TLV of data). */
void ike_put_attr_tv(struct ike_builder *b, uint16_t type, uint16_t value);
void ike_put_attr_tlv(struct ike_builder *b, uint16_t type, const uint8_t *data, size_t len);

/* ------------------------------------------------- big-endian helpers -- */
static inline uint16_t ike_get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}
static inline uint32_t ike_get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}
static inline void ike_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}
static inline void ike_put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

#endif /* EESP_IKE_WIRE_H */
