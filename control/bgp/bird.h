/* A client of BIRD 2's control socket (the protocol birdc speaks): one
 * command a connection. BIRD answers with lines "CODE-text" (more to
 * come) and a last "CODE text"; codes 0xxx are success, 8xxx run-time
 * errors, 9xxx parse errors (BIRD's doc/reply_codes). */
#ifndef AFTR_BIRD_H
#define AFTR_BIRD_H

#include <stddef.h>

/* Sends cmd (one line, no newline) to the BIRD whose control socket is at
 * path, waits at most timeout_ms for the whole answer; its text (the lines
 * without their codes, "; " between them) goes to text. Returns the last
 * line's code (0-9999), or -errno (-ECONNREFUSED, -ENOENT: no BIRD there;
 * -ETIMEDOUT; -EPROTO: not BIRD's protocol). */
int bird_command(const char *path, const char *cmd, unsigned int timeout_ms, char *text,
                 size_t len);

#endif
