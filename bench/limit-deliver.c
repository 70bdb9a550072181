/* limit-deliver - limit (b) of bench/deliver: the least a pipe-invoked
 * LDA can do. Reads the message on stdin and writes it into MAILDIR/new
 * with the safe-delivery syscalls (maildir-put.h), then exits 0; 75 on
 * any failure, as an MTA expects of a temporary error.
 *
 * usage: limit-deliver MAILDIR
 */
#include "maildir-put.h"

#include <stdio.h>

int main(int argc, char **argv)
{
	if (argc != 2) {
		fputs("usage: limit-deliver MAILDIR < message\n", stderr);
		return 64;
	}
	return maildir_put(0, argv[1], 0) < 0 ? 75 : 0;
}
