/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * packet-eesp-ike.h - eesp-iked's additions to IKEv2 as the plugin sees
 * them: the eesp Vendor ID, the PSP/EESP child proposals on private code
 * points, and the Key Download payload (RFC 9838 §4.5) whose keys it
 * unwraps so that the PSP traffic of the downloaded SAs decrypts.
 *
 * Wireshark's own IKEv2 dissector decrypts the SK payload (with the
 * ikev2_decryption_table eesp-iked's key log fills); protocol eespike is a
 * postdissector that reads the decrypted payloads it finds in the tree.
 * The numbers must stay those of src/ike (ike_proto.h; the eesp Vendor ID
 * and the PSP proposal of the key-download exchange) and of the defaults
 * of eesp-iked.conf(5) code_points; the private ones are preferences.
 */
#ifndef PACKET_EESP_IKE_H
#define PACKET_EESP_IKE_H

#include <glib.h>

#define EIKE_PT_SA 33
#define EIKE_PT_VENDOR 43
#define EIKE_PT_KD 52
#define EIKE_TT_KWA 13
#define EIKE_KD_ATTR_SA_KEY 1
#define EIKE_VID "eesp-ikev2-kd-01" /* 16 octets, no NUL */
#define EIKE_VID_LEN 16
#define EIKE_PRF_MAX 64

/* An IKE SA of the key log. */
typedef struct {
	guint8 spi_i[8], spi_r[8];
	guint prf; /* IKEv2 PRF transform ID: 5 HMAC-SHA2-256, 7 HMAC-SHA2-512 */
	guint8 d[EIKE_PRF_MAX];
	guint d_len;
} eike_sa_t;

/* eesp-ike-keys.c */
void eike_keys_load(const char *path);
void eike_keys_clear(void);
const eike_sa_t *eike_keys_find(const guint8 spi_i[8], const guint8 spi_r[8]);
/* SK_w = prf+(SK_d, "Key Wrap for PSP"), 32 octets (KW_5649_256) */
gboolean eike_kwk(const eike_sa_t *sa, guint8 kwk[32]);
/* RFC 5649 unwrap; FALSE (out wiped) when the integrity check fails */
gboolean eike_kwp_unwrap(const guint8 *kek, size_t kek_len, const guint8 *in, size_t in_len,
			 guint8 *out, size_t cap, size_t *out_len);

/* packet-eesp-ike.c */
void proto_register_eesp_ike(void);
void proto_reg_handoff_eesp_ike(void);

#endif /* PACKET_EESP_IKE_H */
