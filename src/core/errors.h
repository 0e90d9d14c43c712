/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * errors.h - every reason the core rejects bytes or keys.
 *
 * Each rejection has its own code so that the daemon can count drops by
 * name, the CLI can report a verdict per packet, and the tests can check
 * that a given malformation is caught by the rule meant to catch it.
 * eesp_err_name() returns the stable snake_case name used for counters,
 * the control protocol and `eespctl show`.
 */
#ifndef EESP_ERRORS_H
#define EESP_ERRORS_H

#define EESP_ERR_LIST(X)                                                                   \
	X(OK, "ok")                                                                        \
	/* framing */                                                                      \
	X(TRUNCATED, "truncated")                 /* shorter than the header it claims */  \
	X(NOT_EESP, "not_eesp")                   /* first bit 0 (ESP) */                  \
	X(BAD_VERSION, "bad_version")             /* EESP version != 0, PSP version > 3 */ \
	X(RESERVED_BITS, "reserved_bits")         /* EESP R bits, SCTX reserved bits */    \
	X(OPTLEN, "option_overrun")               /* Opt Len or an option past the end */  \
	X(OPT_MALFORMED, "option_malformed")      /* wrong length for its type */          \
	X(OPT_DUPLICATE, "option_duplicate")      /* crypt offset or SCTX twice */         \
	X(NO_CONTEXT, "no_context")               /* SCTX option missing */                \
	X(BAD_PROFILE, "unknown_profile")                                                  \
	X(BAD_KDF, "unknown_kdf")                                                          \
	X(BAD_SUITE, "unknown_suite")                                                      \
	X(BAD_CONTEXT, "bad_context")             /* SCTX length/flags inconsistent */     \
	X(PAYLOAD_OFFSET, "payload_offset")       /* crypt-offset option payload offset */ \
	X(CRYPT_OFFSET, "crypt_offset")           /* crypt offset past the payload/max */  \
	X(SEQ_ZERO, "seq_zero")                   /* sequence number 0 */                  \
	X(SEQ_MAX, "seq_max")                     /* SN 2^64-1 (never sent) */             \
	X(PSP_ALWAYS1, "psp_always_one")          /* PSP always-1 bit clear */             \
	X(PSP_HDRLEN, "psp_hdr_ext_len")          /* Hdr Ext Len invalid or != V bit */    \
	X(PSP_SPI_ZERO, "psp_spi_zero")           /* low 31 SPI bits zero */               \
	X(PSP_GMAC_CO, "psp_gmac_crypt_offset")   /* PSP v2/v3, Crypt Offset != 0 */       \
	X(BAD_PIH, "bad_payload_info")            /* Payload Info Header invalid */        \
	X(BAD_INNER, "bad_inner")                 /* inner packet not IPv4/IPv6 / length */\
	/* keys and policy */                                                              \
	X(UNKNOWN_DOMAIN, "unknown_domain")       /* no domain for this SPI */             \
	X(UNKNOWN_GEN, "unknown_generation")      /* phase not among live generations */   \
	X(NO_KEY, "no_key")                       /* tenant/group root not held */         \
	X(EPOCH, "epoch_window")                  /* epoch outside the window */           \
	X(MISROUTED, "misrouted")                 /* pair profile peer node id != ours */  \
	X(NODE_DENIED, "node_denied")             /* node id not allowed by policy */      \
	X(AUTH, "auth_failed")                    /* AEAD tag mismatch */                  \
	X(DERIVE_BUDGET, "derive_budget")         /* uncached key, derivation budget spent */\
	X(REPLAY, "replay")                                                                \
	X(SPOOFED_SOURCE, "spoofed_source")       /* inner source not allowed */           \
	X(NO_ROUTE, "no_route")                                                            \
	X(OVERSIZE, "oversize")                                                            \
	X(NOSPACE, "no_space")                    /* output buffer too small */            \
	X(INVALID, "invalid_argument")            /* caller error */                       \
	X(CRYPTO, "crypto_error")                 /* library failure */

enum eesp_err {
#define EESP_ERR_ENUM(n, s) EESP_E_##n,
	EESP_ERR_LIST(EESP_ERR_ENUM)
#undef EESP_ERR_ENUM
	EESP_E__COUNT
};

/* Stable snake_case name of a code ("auth_failed"); "unknown" if out of range. */
const char *eesp_err_name(int err);

#endif /* EESP_ERRORS_H */
