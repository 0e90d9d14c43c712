/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ike_proto.h - IKEv2 numbers: exchange types, flags, payload types,
 * transform types and IDs, notify types, lengths and the ASCII labels of
 * the key schedule (RFC 7296, RFC 5282, RFC 6023, RFC 9838 and
 * draft-smyslov-ipsecme-ikev2-psp).  Only numbers live here; the private
 * code points the PSP draft needs (protocol ID, transform type) are not
 * fixed: the daemon passes them in from its configuration.
 */
#ifndef EESP_IKE_PROTO_H
#define EESP_IKE_PROTO_H

/* ---- header (RFC 7296 §3.1) */
#define IKE_HDR_LEN 28
#define IKE_GEN_HDR_LEN 4 /* generic payload header */
#define IKE_SPI_LEN 8
#define IKE_VERSION 0x20  /* major 2, minor 0 */
#define IKE_FLAG_I 0x08	  /* sender is the original initiator */
#define IKE_FLAG_V 0x10	  /* sender can speak a higher major version */
#define IKE_FLAG_R 0x20	  /* this is a response */
#define IKE_CRITICAL 0x80 /* generic header: critical bit */
/* Largest message the parser accepts; without fragmentation nothing we
 * exchange comes near it (strongSwan's default max_packet is 10000). */
#define IKE_MSG_MAX 16384

/* ---- exchange types */
#define IKE_EXCH_SA_INIT 34
#define IKE_EXCH_AUTH 35
#define IKE_EXCH_CREATE_CHILD_SA 36
#define IKE_EXCH_INFORMATIONAL 37
#define IKE_EXCH_GSA_AUTH 39 /* RFC 9838 */
#define IKE_EXCH_GSA_REGISTRATION 40
#define IKE_EXCH_GSA_REKEY 41
#define IKE_EXCH_GSA_INBAND_REKEY 42

/* ---- payload types */
#define IKE_PT_NONE 0
#define IKE_PT_SA 33
#define IKE_PT_KE 34
#define IKE_PT_IDI 35
#define IKE_PT_IDR 36
#define IKE_PT_CERT 37
#define IKE_PT_CERTREQ 38
#define IKE_PT_AUTH 39
#define IKE_PT_NONCE 40
#define IKE_PT_NOTIFY 41
#define IKE_PT_DELETE 42
#define IKE_PT_VENDOR 43
#define IKE_PT_TSI 44
#define IKE_PT_TSR 45
#define IKE_PT_SK 46
#define IKE_PT_CP 47
#define IKE_PT_EAP 48
#define IKE_PT_IDG 50 /* RFC 9838 */
#define IKE_PT_GSA 51
#define IKE_PT_KD 52
#define IKE_PT_SKF 53 /* RFC 7383 (not implemented: unknown to the parser) */

/* ---- security protocol IDs (PSP/EESP ones are private: configuration) */
#define IKE_PROTO_IKE 1
#define IKE_PROTO_AH 2
#define IKE_PROTO_ESP 3
#define IKE_PROTO_GIKE_UPDATE 6
#define IKE_PROTO_PRIVATE_MIN 201 /* 201-255 private use */

/* ---- transform types (RFC 7296 §3.3.2, RFC 9838) */
#define IKE_TT_ENCR 1
#define IKE_TT_PRF 2
#define IKE_TT_INTEG 3
#define IKE_TT_KE 4 /* "D-H" in RFC 7296 */
#define IKE_TT_SN 5 /* ESN in RFC 7296 */
#define IKE_TT_KWA 13
#define IKE_TT_GCAUTH 14
#define IKE_TT_PRIVATE_MIN 241 /* 241-255 private use */

/* transform IDs */
#define IKE_ENCR_AES_GCM_16 20
#define IKE_ENCR_CHACHA20_POLY1305 28
#define IKE_PRF_HMAC_SHA1 2 /* RFC 7296 MUST; kept for the CAVP vectors */
#define IKE_PRF_HMAC_SHA2_256 5
#define IKE_PRF_HMAC_SHA2_512 7
#define IKE_INTEG_NONE 0
#define IKE_KE_NONE 0
#define IKE_KE_MODP2048 14
#define IKE_KE_ECP256 19
#define IKE_KE_X25519 31
#define IKE_SN_NONE 0 /* "No ESN" */
#define IKE_SN_ESN 1
#define IKE_KWA_5649_128 1
#define IKE_KWA_5649_192 2
#define IKE_KWA_5649_256 3
#define IKE_KWA_ARX 4
/* PSP Parameters transform IDs (draft): Linux enum psp_version + 1 */
#define IKE_PSP_HDR0_AES_GCM_128 1
#define IKE_PSP_HDR0_AES_GCM_256 2
#define IKE_PSP_HDR0_AES_GMAC_128 3
#define IKE_PSP_HDR0_AES_GMAC_256 4

/* transform attributes (RFC 7296 §3.3.5) */
#define IKE_ATTR_AF 0x8000 /* attribute format bit: TV */
#define IKE_ATTR_KEY_LENGTH 14

/* ---- ID types */
#define IKE_ID_IPV4_ADDR 1
#define IKE_ID_FQDN 2
#define IKE_ID_RFC822_ADDR 3
#define IKE_ID_IPV6_ADDR 5
#define IKE_ID_KEY_ID 11

/* ---- AUTH methods */
#define IKE_AUTH_PSK 2 /* Shared Key Message Integrity Code */

/* ---- traffic selector types */
#define IKE_TS_IPV4_ADDR_RANGE 7
#define IKE_TS_IPV6_ADDR_RANGE 8

/* ---- notify types: errors */
#define IKE_N_UNSUPPORTED_CRITICAL_PAYLOAD 1
#define IKE_N_INVALID_IKE_SPI 4
#define IKE_N_INVALID_MAJOR_VERSION 5
#define IKE_N_INVALID_SYNTAX 7
#define IKE_N_INVALID_MESSAGE_ID 9
#define IKE_N_INVALID_SPI 11
#define IKE_N_NO_PROPOSAL_CHOSEN 14
#define IKE_N_INVALID_KE_PAYLOAD 17
#define IKE_N_AUTHENTICATION_FAILED 24
#define IKE_N_SINGLE_PAIR_REQUIRED 34
#define IKE_N_NO_ADDITIONAL_SAS 35
#define IKE_N_INTERNAL_ADDRESS_FAILURE 36
#define IKE_N_FAILED_CP_REQUIRED 37
#define IKE_N_TS_UNACCEPTABLE 38
#define IKE_N_INVALID_SELECTORS 39
#define IKE_N_TEMPORARY_FAILURE 43
#define IKE_N_CHILD_SA_NOT_FOUND 44
#define IKE_N_INVALID_GROUP_ID 45
#define IKE_N_AUTHORIZATION_FAILED 46
#define IKE_N_REGISTRATION_FAILED 49
#define IKE_N_ERROR_MAX 16383 /* types below 16384 are errors */
/* ---- notify types: status */
#define IKE_N_INITIAL_CONTACT 16384
#define IKE_N_SET_WINDOW_SIZE 16385
#define IKE_N_NAT_DETECTION_SOURCE_IP 16388
#define IKE_N_NAT_DETECTION_DESTINATION_IP 16389
#define IKE_N_COOKIE 16390
#define IKE_N_USE_TRANSPORT_MODE 16391
#define IKE_N_REKEY_SA 16393
#define IKE_N_CHILDLESS_IKEV2_SUPPORTED 16418
#define IKE_N_GROUP_SENDER 16429
#define IKE_N_IKEV2_FRAGMENTATION_SUPPORTED 16430
#define IKE_N_SIGNATURE_HASH_ALGORITHMS 16431

/* ---- KD payload (RFC 9838 §4.5) */
#define IKE_KD_MEMBER_KEY_BAG 0 /* key bag "protocol" 0 */
#define IKE_KD_BAG_HDR_LEN 4
#define IKE_KD_ATTR_SA_KEY 1   /* Group Key Bag attribute (TLV) */
#define IKE_KD_ATTR_WRAP_KEY 1 /* Member Key Bag attributes (TLV) */
#define IKE_KD_ATTR_AUTH_KEY 2
#define IKE_KD_ATTR_GM_SENDER_ID 3
#define IKE_KD_WRAPPED_HDR_LEN 8 /* Key ID(4) | KWK ID(4) */

/* ---- lengths */
#define IKE_NONCE_MIN 16
#define IKE_NONCE_MAX 256
#define IKE_GCM_IV_LEN 8
#define IKE_GCM_SALT_LEN 4
#define IKE_GCM_ICV_LEN 16
#define IKE_COOKIE_MAX 64

/* ---- labels of the key schedule, ASCII without the NUL */
#define IKE_LABEL_KEY_PAD "Key Pad for IKEv2"	   /* 17, RFC 7296 §2.15 */
#define IKE_LABEL_KW_PSP "Key Wrap for PSP"	   /* 16, PSP draft */
#define IKE_LABEL_KW_GIKEV2 "Key Wrap for G-IKEv2" /* 20, RFC 9838 §3.1.1 */

#endif /* EESP_IKE_PROTO_H */
