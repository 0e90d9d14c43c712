/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * eesp-ike-keys.c - what the eesp-ike postdissector needs to open a Key
 * Download payload: SK_d of each IKE SA from eesp-iked's key log (its
 * "# eesp-iked SK_d SPIi SPIr PRF SK_d" lines, eesp-iked.conf(5)
 * key_log), SK_w = prf+(SK_d, "Key Wrap for PSP") (RFC 7296 §2.13), and
 * AES Key Wrap with Padding (RFC 5649) unwrapping, all with libgcrypt.
 */

#include "packet-eesp.h"

#include <stdio.h>
#include <wsutil/wsgcrypt.h>

#include "packet-eesp-ike.h"

#define KL_PREFIX "# eesp-iked SK_d "

static GArray *ike_sas; /* of eike_sa_t */

static gboolean hex_into(const char *s, size_t n_hex, guint8 *out)
{
	for (size_t i = 0; i < n_hex / 2; i++) {
		int hi = g_ascii_xdigit_value(s[2 * i]), lo = g_ascii_xdigit_value(s[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return FALSE;
		out[i] = (guint8)(hi << 4 | lo);
	}
	return TRUE;
}

/* "SPIi SPIr PRF SK_d" after the prefix */
static gboolean kl_line(const char *s, eike_sa_t *sa)
{
	char spi_i[17], spi_r[17], d[2 * EIKE_PRF_MAX + 2];
	unsigned prf;
	memset(sa, 0, sizeof(*sa));
	if (sscanf(s, "%16s %16s %u %129s", spi_i, spi_r, &prf, d) != 4 || strlen(spi_i) != 16 ||
	    strlen(spi_r) != 16 || strlen(d) % 2 || strlen(d) / 2 < 16 ||
	    strlen(d) / 2 > EIKE_PRF_MAX || (prf != 5 && prf != 7))
		return FALSE;
	sa->prf = prf;
	sa->d_len = (guint)strlen(d) / 2;
	return hex_into(spi_i, 16, sa->spi_i) && hex_into(spi_r, 16, sa->spi_r) &&
	       hex_into(d, strlen(d), sa->d);
}

void eike_keys_load(const char *path)
{
	FILE *f;
	char line[1024];
	eike_keys_clear();
	if (!path || !*path)
		return;
	f = fopen(path, "r");
	if (!f)
		return;
	if (!ike_sas)
		ike_sas = g_array_new(FALSE, TRUE, sizeof(eike_sa_t));
	while (fgets(line, sizeof(line), f)) {
		eike_sa_t sa;
		if (!strncmp(line, KL_PREFIX, strlen(KL_PREFIX)) &&
		    kl_line(line + strlen(KL_PREFIX), &sa))
			g_array_append_val(ike_sas, sa);
	}
	memset(line, 0, sizeof(line));
	fclose(f);
}

void eike_keys_clear(void)
{
	if (!ike_sas)
		return;
	memset(ike_sas->data, 0, ike_sas->len * sizeof(eike_sa_t));
	g_array_set_size(ike_sas, 0);
}

const eike_sa_t *eike_keys_find(const guint8 spi_i[8], const guint8 spi_r[8])
{
	for (guint i = 0; ike_sas && i < ike_sas->len; i++) {
		const eike_sa_t *sa = &g_array_index(ike_sas, eike_sa_t, i);
		if (!memcmp(sa->spi_i, spi_i, 8) && !memcmp(sa->spi_r, spi_r, 8))
			return sa;
	}
	return NULL;
}

gboolean eike_kwk(const eike_sa_t *sa, guint8 kwk[32])
{
	static const char label[] = "Key Wrap for PSP"; /* 16 octets, no NUL */
	int algo = sa->prf == 7 ? GCRY_MD_SHA512 : GCRY_MD_SHA256;
	gcry_md_hd_t h;
	guint8 one = 1;
	/* prf+ (RFC 7296 §2.13): T1 = prf(K, S | 0x01) already has 32 octets */
	if (gcry_md_open(&h, algo, GCRY_MD_FLAG_HMAC) || gcry_md_setkey(h, sa->d, sa->d_len))
		return FALSE;
	gcry_md_write(h, label, sizeof(label) - 1);
	gcry_md_write(h, &one, 1);
	memcpy(kwk, gcry_md_read(h, algo), 32);
	gcry_md_close(h);
	return TRUE;
}

/* RFC 5649 §3: AIV = A65959A6 | MLI, padding zero, MLI within the last block */
static gboolean kwp_check(const guint8 a[8], const guint8 *p, size_t n, size_t *len)
{
	guint32 mli = (guint32)a[4] << 24 | (guint32)a[5] << 16 | (guint32)a[6] << 8 | a[7];
	if (a[0] != 0xa6 || a[1] != 0x59 || a[2] != 0x59 || a[3] != 0xa6)
		return FALSE;
	if (mli > n || mli <= n - 8 || mli == 0)
		return FALSE;
	for (size_t i = mli; i < n; i++)
		if (p[i])
			return FALSE;
	*len = mli;
	return TRUE;
}

gboolean eike_kwp_unwrap(const guint8 *kek, size_t kek_len, const guint8 *in, size_t in_len,
			 guint8 *out, size_t cap, size_t *out_len)
{
	gcry_cipher_hd_t h;
	guint8 a[8], b[16];
	size_t n = in_len / 8 - 1; /* 64-bit blocks of plaintext */
	gboolean ok = FALSE;
	int algo = kek_len == 16   ? GCRY_CIPHER_AES128
		   : kek_len == 24 ? GCRY_CIPHER_AES192
				   : GCRY_CIPHER_AES256;
	if (in_len % 8 || in_len < 16 || n * 8 > cap ||
	    gcry_cipher_open(&h, algo, GCRY_CIPHER_MODE_ECB, 0))
		return FALSE;
	if (gcry_cipher_setkey(h, kek, kek_len))
		goto out;
	if (n == 1) { /* one block: AES-ECB of AIV | P */
		if (gcry_cipher_decrypt(h, b, 16, in, 16))
			goto out;
		memcpy(a, b, 8);
		memcpy(out, b + 8, 8);
	} else { /* RFC 3394 §2.2.2, index form */
		memcpy(a, in, 8);
		memcpy(out, in + 8, n * 8);
		for (int j = 5; j >= 0; j--)
			for (size_t i = n; i >= 1; i--) {
				guint64 t = (guint64)n * (guint64)j + i;
				for (int k = 7; k >= 0 && t; k--, t >>= 8)
					a[k] ^= (guint8)(t & 0xff);
				memcpy(b, a, 8);
				memcpy(b + 8, out + (i - 1) * 8, 8);
				if (gcry_cipher_decrypt(h, b, 16, NULL, 0))
					goto out;
				memcpy(a, b, 8);
				memcpy(out + (i - 1) * 8, b + 8, 8);
			}
	}
	ok = kwp_check(a, out, n * 8, out_len);
out:
	gcry_cipher_close(h);
	memset(b, 0, sizeof(b));
	if (!ok)
		memset(out, 0, n * 8 <= cap ? n * 8 : cap);
	return ok;
}
