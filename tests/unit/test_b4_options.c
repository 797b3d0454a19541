/* Unit tests of the software B4's options (deploy/b4/options.c): the defaults, --lw4o6 and
 * its port set, what options refuse together, and --config files (comments, blanks, order,
 * errors by file and line). */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "options.h"

static struct b4_opts o;

/* options_parse() over the NULL-terminated words, getopt reset first. */
static int parse(const char *word, ...)
{
	char *argv[32] = {"aftr-b4"};
	int argc = 1;
	va_list ap;

	va_start(ap, word);
	for (const char *w = word; w != NULL && argc < 31; w = va_arg(ap, const char *))
		argv[argc++] = (char *)w;
	va_end(ap);
	options_free(&o);
	optind = 0; /* GNU getopt: start afresh */
	return options_parse(argc, argv, &o);
}

/* A --config file holding text; its path in path (64 bytes). */
static void config_file(char *path, const char *text)
{
	int fd;

	snprintf(path, 64, "/tmp/test_b4_options.XXXXXX");
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, strlen(text)), (int)strlen(text));
	close(fd);
}

START_TEST(test_defaults)
{
	ck_assert_int_eq(parse("--local", "2001:db8::2", "--aftr", "2001:db8::1", NULL), 0);
	ck_assert_str_eq(o.name, "b4tun0");
	ck_assert_uint_eq(ntohl(o.ipv4.s_addr), 0xc0000002);
	ck_assert_uint_eq(o.plen, 29);
	ck_assert_uint_eq(o.mtu, 1460);
	ck_assert(!o.lw4o6);
}
END_TEST

START_TEST(test_lw4o6)
{
	ck_assert_int_eq(parse("--local", "2001:db8::2", "--aftr", "2001:db8::1", "--lw4o6",
	                       "--ipv4", "198.51.100.7", "--psid", "1", "--psid-len", "5",
	                       "--offset", "0", "--udp-timeout", "600", NULL),
	                 0);
	ck_assert(o.lw4o6);
	/* The public address is the NAPT's; the TUN keeps 192.0.0.2/29. */
	ck_assert_uint_eq(ntohl(o.public4.s_addr), 0xc6336407);
	ck_assert_uint_eq(ntohl(o.ipv4.s_addr), 0xc0000002);
	ck_assert_uint_eq(o.plen, 29);
	ck_assert_uint_eq(o.psid, 1);
	ck_assert_uint_eq(o.psid_len, 5);
	ck_assert_uint_eq(o.offset, 0);
	ck_assert_uint_eq(o.timeouts.udp, 600);
	ck_assert_uint_eq(o.timeouts.tcp, 7440);
	/* The offset defaults to 6 (RFC 7597 section 5.1). */
	ck_assert_int_eq(parse("--local", "::2", "--aftr", "::1", "--lw4o6", "--ipv4",
	                       "198.51.100.7/32", "--psid", "3", "--psid-len", "8", NULL),
	                 0);
	ck_assert_uint_eq(o.offset, 6);
}
END_TEST

START_TEST(test_refused)
{
	/* No public address; not /32; a PSID too big for its length; a + k > 16. */
	ck_assert_int_eq(parse("--local", "::2", "--aftr", "::1", "--lw4o6", NULL), -EINVAL);
	ck_assert_int_eq(parse("--local", "::2", "--aftr", "::1", "--lw4o6", "--ipv4",
	                       "198.51.100.7/24", NULL),
	                 -EINVAL);
	ck_assert_int_eq(parse("--local", "::2", "--aftr", "::1", "--lw4o6", "--ipv4",
	                       "198.51.100.7", "--psid", "32", "--psid-len", "5", NULL),
	                 -EINVAL);
	ck_assert_int_eq(parse("--local", "::2", "--aftr", "::1", "--lw4o6", "--ipv4",
	                       "198.51.100.7", "--psid-len", "12", "--offset", "6", NULL),
	                 -EINVAL);
	/* The port set without --lw4o6; with --dhcp, which gives it. */
	ck_assert_int_eq(parse("--local", "::2", "--aftr", "::1", "--psid", "1", NULL), -EINVAL);
	ck_assert_int_eq(parse("--local", "::2", "--dhcp", "eth0", "--lw4o6", "--psid", "1", NULL),
	                 -EINVAL);
	ck_assert_int_eq(parse("--local", "::2", "--dhcp", "eth0", "--lw4o6", "--ipv4",
	                       "198.51.100.7", NULL),
	                 -EINVAL);
	ck_assert_int_eq(parse("--local", "::2", "--dhcp", "eth0", "--lw4o6", NULL), 0);
	/* Timeouts below the RFCs' floors. */
	ck_assert_int_eq(parse("--local", "::2", "--aftr", "::1", "--lw4o6", "--ipv4",
	                       "198.51.100.7", "--tcp-timeout", "7439", NULL),
	                 -EINVAL);
	ck_assert_int_eq(parse("--local", "::2", "--aftr", "::1", "--lw4o6", "--ipv4",
	                       "198.51.100.7", "--icmp-timeout", "59", NULL),
	                 -EINVAL);
}
END_TEST

START_TEST(test_config_file)
{
	char path[64];

	config_file(path, "# a lwB4\n"
	                  "  local 2001:db8::2   # its address\n"
	                  "aftr\t2001:db8::1\n"
	                  "\n"
	                  "lw4o6\n"
	                  "ipv4 198.51.100.7\n"
	                  "psid 2\n"
	                  "psid-len 6\n"
	                  "offset 0\n"
	                  "name first\n"
	                  "name lwb4\n" /* the later wins; the copy it replaces is freed */
	                  "mtu 1400");
	/* The file's options, then the command line's after it win. */
	ck_assert_int_eq(parse("--config", path, "--mtu", "1500", NULL), 0);
	ck_assert(o.lw4o6);
	ck_assert_uint_eq(o.psid, 2);
	ck_assert_uint_eq(o.psid_len, 6);
	ck_assert_str_eq(o.name, "lwb4");
	ck_assert_uint_eq(o.mtu, 1500);
	/* And before it, the file's win. */
	ck_assert_int_eq(parse("--mtu", "1500", "--config", path, NULL), 0);
	ck_assert_uint_eq(o.mtu, 1400);
	unlink(path);
}
END_TEST

START_TEST(test_config_errors)
{
	static const char *const bad[] = {
	        "local ::2\nmtux 4\n",         /* unknown */
	        "local ::2\nlw4o6 yes\n",      /* a flag with a value */
	        "local ::2\nmtu\n",            /* a value missing */
	        "local ::2\nconfig /etc/x\n",  /* no nesting */
	        "local ::2\nhelp\n",           /* not in a file */
	        "local ::2\nmtu 20\n",         /* out of range */
	        "local ::2\naftr not-an-ip\n", /* bad address */
	};
	char path[64], line[1200];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		config_file(path, bad[i]);
		ck_assert_msg(parse("--config", path, "--aftr", "::1", NULL) < 0, "%s", bad[i]);
		unlink(path);
	}
	/* A line too long; a file that is not there. */
	memset(line, 'x', sizeof(line) - 1);
	line[sizeof(line) - 1] = '\0';
	config_file(path, line);
	ck_assert_int_eq(parse("--config", path, NULL), -EINVAL);
	unlink(path);
	ck_assert_int_eq(parse("--config", "/nonexistent/b4.conf", NULL), -EINVAL);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("b4_options");
	TCase *tc = tcase_create("options");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_defaults);
	tcase_add_test(tc, test_lw4o6);
	tcase_add_test(tc, test_refused);
	tcase_add_test(tc, test_config_file);
	tcase_add_test(tc, test_config_errors);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	options_free(&o);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
