/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ike_err.h - every reason the IKE core refuses bytes, keys or a request.
 *
 * One code per rule, so that eesp-iked can count drops by name and the
 * tests can check that each malformation is caught by the rule meant for
 * it.  ike_err_name() gives the stable snake_case name ("sk_not_last").
 * IKE_E_CRITICAL is the one the daemon answers with
 * N(UNSUPPORTED_CRITICAL_PAYLOAD); the chain parser reports the offending
 * payload type beside it (struct ike_chain.critical_type).
 */
#ifndef EESP_IKE_ERR_H
#define EESP_IKE_ERR_H

#define IKE_ERR_LIST(X)                                                                            \
	X(OK, "ok")                                                                                \
	/* message framing */                                                                      \
	X(TRUNCATED, "truncated")	    /* shorter than a header it must hold */               \
	X(BAD_VERSION, "bad_major_version") /* major version != 2 */                               \
	X(BAD_LENGTH, "bad_length")	    /* header Length != datagram length */                 \
	X(OVERSIZE, "oversize")		    /* longer than IKE_MSG_MAX */                          \
	X(PAYLOAD_LENGTH, "payload_length") /* generic Length < 4 or past the end */               \
	X(BAD_CHAIN, "bad_payload_chain")   /* Next Payload chain and length disagree */           \
	X(SK_NOT_LAST, "sk_not_last")	    /* SK payload followed by more bytes */                \
	X(CRITICAL, "unsupported_critical") /* unknown payload with the critical bit */            \
	X(TOO_MANY, "too_many_payloads")    /* more than the caller's array holds */               \
	/* payload bodies */                                                                       \
	X(MALFORMED, "malformed_payload")     /* body inconsistent with its type */                \
	X(BAD_PROPOSAL, "malformed_proposal") /* SA: proposal/transform framing */                 \
	X(BAD_ATTR, "malformed_attribute")    /* attribute framing */                              \
	X(NO_SK, "no_sk_payload")	      /* a protected exchange without SK */                \
	X(NO_PROPOSAL, "no_proposal_chosen")  /* nothing in the SA is acceptable */                \
	X(UNSUPPORTED, "unsupported")	      /* well formed, but not something we do */           \
	/* crypto */                                                                               \
	X(ICV, "icv_mismatch")		  /* SK integrity check failed */                          \
	X(AUTH_FAILED, "auth_failed")	  /* AUTH payload data does not verify */                  \
	X(PADDING, "bad_padding")	  /* SK Pad Length larger than the plaintext */            \
	X(IV_EXHAUSTED, "iv_exhausted")	  /* the SK IV counter would repeat */                     \
	X(UNWRAP, "unwrap_failed")	  /* AES-KWP integrity check failed */                     \
	X(BAD_PUBLIC, "bad_public_value") /* KE data of the wrong size or not on the curve */      \
	X(COOKIE, "cookie_mismatch")	  /* cookie not made by either secret */                   \
	/* caller */                                                                               \
	X(NOSPACE, "no_space")	       /* output buffer too small */                               \
	X(INVALID, "invalid_argument") /* caller error */                                          \
	X(CRYPTO, "crypto_error")      /* OpenSSL failure */

enum ike_err {
#define IKE_ERR_ENUM(n, s) IKE_E_##n,
	IKE_ERR_LIST(IKE_ERR_ENUM)
#undef IKE_ERR_ENUM
	    IKE_E__COUNT
};

/* Stable snake_case name of a code; "unknown" when out of range. */
const char *ike_err_name(int err);

#endif /* EESP_IKE_ERR_H */
