/* ascii - small character helpers shared by the decoders */
#ifndef SLUICE_ASCII_H
#define SLUICE_ASCII_H

/* ascii_hex_value - 0-15 for a hex digit of either case, -1 otherwise */
static inline int ascii_hex_value(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

#endif
