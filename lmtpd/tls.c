/* tls.c - the STARTTLS server context (OpenSSL) */
#include "auto-config.h"
#include "lmtpd.h"

#include "lib/config.h"

#include <openssl/err.h>
#include <openssl/ssl.h>

/* tls_err - the OpenSSL error queue's first entry into err */
static int tls_err(struct sl_err *err, const char *what, const char *path)
{
	char text[256];
	unsigned long e = ERR_get_error();

	ERR_error_string_n(e, text, sizeof(text));
	ERR_clear_error();
	return err_set(err, ERR_USAGE, "%s %s: %s", what, path,
		       e != 0 ? text : "failed");
}

int lmtpd_tls_ctx(const struct config *cfg, SSL_CTX **ctx_r,
		  struct sl_err *err)
{
	const char *cert = config_str(cfg, "lmtp_tls_cert");
	const char *key = config_str(cfg, "lmtp_tls_key");
	SSL_CTX *ctx;

	*ctx_r = NULL;
	if (*cert == '\0' && *key == '\0')
		return 0;
	if (*cert == '\0' || *key == '\0')
		return err_set(err, ERR_USAGE, "lmtp_tls_cert and lmtp_tls_key "
			       "go together");
	ctx = SSL_CTX_new(TLS_server_method());
	if (ctx == NULL)
		return tls_err(err, "TLS", "context");
	(void)SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION);
	if (SSL_CTX_use_certificate_chain_file(ctx, cert) != 1) {
		SSL_CTX_free(ctx);
		return tls_err(err, "lmtp_tls_cert", cert);
	}
	if (SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1 ||
	    SSL_CTX_check_private_key(ctx) != 1) {
		SSL_CTX_free(ctx);
		return tls_err(err, "lmtp_tls_key", key);
	}
	*ctx_r = ctx;
	return 0;
}

void lmtpd_tls_ctx_free(SSL_CTX **ctx)
{
	if (*ctx != NULL)
		SSL_CTX_free(*ctx);
	*ctx = NULL;
}
