/* base64.c - base64 (RFC 4648 section 4), strict */
#include "auto-config.h"
#include "base64.h"

static const char base64_alphabet[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

void base64_encode(const void *data, size_t len, struct buf *out)
{
	const unsigned char *p = data;
	char q[4];
	size_t i;

	for (i = 0; i + 3 <= len; i += 3) {
		q[0] = base64_alphabet[p[i] >> 2];
		q[1] = base64_alphabet[((p[i] & 3) << 4) | (p[i + 1] >> 4)];
		q[2] = base64_alphabet[((p[i + 1] & 15) << 2) | (p[i + 2] >> 6)];
		q[3] = base64_alphabet[p[i + 2] & 63];
		buf_append(out, q, 4);
	}
	if (len - i == 1) {
		q[0] = base64_alphabet[p[i] >> 2];
		q[1] = base64_alphabet[(p[i] & 3) << 4];
		q[2] = q[3] = '=';
		buf_append(out, q, 4);
	} else if (len - i == 2) {
		q[0] = base64_alphabet[p[i] >> 2];
		q[1] = base64_alphabet[((p[i] & 3) << 4) | (p[i + 1] >> 4)];
		q[2] = base64_alphabet[(p[i + 1] & 15) << 2];
		q[3] = '=';
		buf_append(out, q, 4);
	}
}

/* base64_value - the 6 bits of c, or -1 outside the alphabet */
static int base64_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

int base64_decode(const char *s, size_t len, struct buf *out)
{
	unsigned long acc = 0;
	size_t i, n = 0, data_len = len;
	char bytes[3];
	int v;

	/* padding: at most two '=', completing the last group ("QQ=" is
	   not "QQ==") */
	while (data_len > 0 && s[data_len - 1] == '=' && len - data_len < 2)
		data_len--;
	if (data_len < len && len % 4 != 0)
		return -1;
	if (data_len % 4 == 1)
		return -1;
	for (i = 0; i < data_len; i++) {
		if ((v = base64_value((unsigned char)s[i])) < 0)
			return -1;
		acc = (acc << 6) | (unsigned long)v;
		if (++n == 4) {
			bytes[0] = (char)(acc >> 16);
			bytes[1] = (char)(acc >> 8);
			bytes[2] = (char)acc;
			buf_append(out, bytes, 3);
			acc = 0;
			n = 0;
		}
	}
	if (n == 2) {
		bytes[0] = (char)(acc >> 4);
		buf_append(out, bytes, 1);
	} else if (n == 3) {
		bytes[0] = (char)(acc >> 10);
		bytes[1] = (char)(acc >> 2);
		buf_append(out, bytes, 2);
	}
	return 0;
}
