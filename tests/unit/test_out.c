/* Unit tests for src/report/out.c: a report file appears whole or not at all, never through a link. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "capture.h"
#include "report/out.h"

static char dir[64];

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/sockleak-test-out.XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* Entries of dir other than keep, counted (the temporary files left behind). */
static int others(const char *keep)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..") &&
		    (!keep || strcmp(e->d_name, keep)))
			n++;
	closedir(d);
	return n;
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static int put_text(FILE *f, const void *text)
{
	return fputs(text, f) < 0 ? -EIO : 0;
}

static void test_rename_into_place(void **state)
{
	char path[128];
	struct out o;
	struct stat st;

	(void)state;
	snprintf(path, sizeof(path), "%s/report.json", dir);
	assert_int_equal(out_open(&o, path), 0);
	fputs("half", o.f);
	fflush(o.f);
	/* Until it is closed, the report is not there under its name; its temporary file is. */
	assert_int_equal(stat(path, &st), -1);
	assert_non_null(strstr(o.tmp, ".report.json" OUT_TMP_TAG));
	assert_int_equal(strlen(o.tmp), strlen(".report.json" OUT_TMP_TAG) + OUT_TMP_RANDOM);
	assert_int_equal(out_close(&o, 0), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_size, 4);
	assert_int_equal(st.st_mode & 0777, 0644 & ~022);
	assert_int_equal(others("report.json"), 0);

	/* A failed report leaves the previous file alone and no temporary file behind. */
	assert_int_equal(out_open(&o, path), 0);
	fputs("broken and longer", o.f);
	assert_int_equal(out_close(&o, -ENOMEM), -ENOMEM);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_size, 4);
	assert_int_equal(others("report.json"), 0);
	unlink(path);
}

/* Two writers of one target get two temporary files: the names are not predictable. */
static void test_unpredictable_names(void **state)
{
	char path[128];
	struct out a, b;

	(void)state;
	snprintf(path, sizeof(path), "%s/x.html", dir);
	assert_int_equal(out_open(&a, path), 0);
	assert_int_equal(out_open(&b, path), 0);
	assert_string_not_equal(a.tmp, b.tmp);
	assert_int_equal(out_close(&a, 0), 0);
	assert_int_equal(out_close(&b, 0), 0);
	assert_int_equal(others("x.html"), 0);
	unlink(path);
}

/* A link planted at the old, predictable temporary name (<path>.<pid>.tmp) is never written through. */
static void test_planted_link(void **state)
{
	char path[128], victim[128], planted[160], buf[32] = "";
	struct out o;
	struct stat st;
	FILE *f;

	(void)state;
	snprintf(path, sizeof(path), "%s/out.json", dir);
	snprintf(victim, sizeof(victim), "%s/victim", dir);
	snprintf(planted, sizeof(planted), "%s.%d.tmp", path, (int)getpid());
	write_file(victim, "precious");
	assert_int_equal(symlink(victim, planted), 0);
	assert_int_equal(out_open(&o, path), 0);
	fputs("report", o.f);
	assert_int_equal(out_close(&o, 0), 0);
	f = fopen(victim, "r");
	assert_non_null(fgets(buf, sizeof(buf), f));
	fclose(f);
	assert_string_equal(buf, "precious");
	assert_int_equal(lstat(path, &st), 0);
	assert_true(S_ISREG(st.st_mode));

	/* A link as the target's own name is replaced by the report; what it pointed to stays. */
	unlink(path);
	assert_int_equal(symlink(victim, path), 0);
	assert_int_equal(out_write(path, put_text, "report"), 0);
	assert_int_equal(lstat(path, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	f = fopen(victim, "r");
	assert_non_null(fgets(buf, sizeof(buf), f));
	fclose(f);
	assert_string_equal(buf, "precious");
	unlink(path);
	unlink(planted);
	unlink(victim);
}

static void test_special_files(void **state)
{
	char fifo[128], link[128];
	struct capture c;
	struct out o;
	struct stat st;
	char *msg;

	(void)state;
	/* /dev/null takes a report in place (discarded), never replaced by a regular file. */
	assert_int_equal(out_check("--json", "/dev/null"), 0);
	assert_int_equal(out_open(&o, "/dev/null"), 0);
	fputs("x", o.f);
	assert_int_equal(out_close(&o, 0), 0);
	assert_int_equal(stat("/dev/null", &st), 0);
	assert_true(S_ISCHR(st.st_mode));
	assert_int_equal(out_open(&o, "-"), 0);
	assert_ptr_equal(o.f, stdout);
	assert_int_equal(out_close(&o, 0), 0);

	/* A FIFO, a link to one, a device or a directory is refused: opening one could hang. */
	snprintf(fifo, sizeof(fifo), "%s/fifo", dir);
	snprintf(link, sizeof(link), "%s/link", dir);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	assert_int_equal(symlink(fifo, link), 0);
	capture_begin(&c);
	assert_int_equal(out_check("--json", fifo), -EEXIST);
	assert_int_equal(out_check("--html", link), -EEXIST);
	assert_int_equal(out_check("--csv", "/dev/zero"), -EEXIST);
	assert_int_equal(out_check("--csv", dir), -EEXIST);
	assert_int_equal(out_open(&o, fifo), -EEXIST);
	assert_int_equal(out_open(&o, link), -EEXIST);
	msg = capture_end(&c);
	assert_non_null(strstr(msg, "--json "));
	assert_non_null(strstr(msg, "is a FIFO"));
	assert_non_null(strstr(msg, "is a symbolic link to a FIFO"));
	assert_non_null(strstr(msg, "is a character device"));
	assert_non_null(strstr(msg, "is a directory"));
	free(msg);
	assert_int_equal(lstat(link, &st), 0);
	assert_true(S_ISLNK(st.st_mode));
	unlink(link);
	unlink(fifo);
	assert_int_equal(others(NULL), 0);
}

static void test_check(void **state)
{
	char path[128], sub[128];
	struct capture c;
	char *msg;

	(void)state;
	snprintf(path, sizeof(path), "%s/new.json", dir);
	assert_int_equal(out_check("--json", NULL), 0);
	assert_int_equal(out_check("--json", "-"), 0);
	assert_int_equal(out_check("--json", path), 0);
	assert_int_equal(others(NULL), 0);
	capture_begin(&c);
	assert_int_equal(out_check("--json", "/nonexistent/dir/x.json"), -ENOENT);
	assert_int_equal(out_check("--html", ""), -EINVAL);
	assert_int_equal(out_check("--csv", "/proc/sys/"), -EISDIR);
	msg = capture_end(&c);
	assert_non_null(
		strstr(msg, "--json /nonexistent/dir/x.json: no directory /nonexistent/dir"));
	assert_non_null(strstr(msg, "--html: no output file given"));
	assert_non_null(strstr(msg, "names a directory"));
	free(msg);

	/* A directory to write into: existing, or creatable in its parent. */
	snprintf(sub, sizeof(sub), "%s/html", dir);
	assert_int_equal(out_check_dir("--html", sub), 0);
	assert_int_equal(others(NULL), 0);
	assert_int_equal(mkdir(sub, 0755), 0);
	assert_int_equal(out_check_dir("--html", sub), 0);
	rmdir(sub);
	write_file(sub, "x");
	capture_begin(&c);
	assert_int_equal(out_check_dir("--html", sub), -ENOTDIR);
	assert_int_equal(out_check_dir("--html", "/nonexistent/a/b"), -ENOENT);
	msg = capture_end(&c);
	assert_non_null(strstr(msg, "not a directory"));
	free(msg);
	unlink(sub);
}

/* What a killed writer left is removed by the next check, unless a live writer holds it. */
static void test_sweep_stale(void **state)
{
	char dead[128], live[128], other[128], said[256];
	struct capture c;
	int dfd, fd;
	char *msg;

	(void)state;
	snprintf(dead, sizeof(dead), "%s/.r.json" OUT_TMP_TAG "aB3xY9", dir);
	snprintf(live, sizeof(live), "%s/.r.json" OUT_TMP_TAG "Zz0000", dir);
	snprintf(other, sizeof(other), "%s/.r.json" OUT_TMP_TAG "x", dir);
	write_file(dead, "partial");
	write_file(live, "partial");
	write_file(other, "not ours: wrong shape");
	fd = open(live, O_RDONLY);
	assert_int_equal(flock(fd, LOCK_EX), 0);
	dfd = open(dir, O_RDONLY | O_DIRECTORY);
	/* Too young: it may be a writer's that has not locked it yet. */
	assert_int_equal(out_sweep_stale(dfd, 60, said, sizeof(said)), 0);
	assert_int_equal(out_sweep_stale(dfd, 0, said, sizeof(said)), 1);
	assert_string_equal(said, ".r.json" OUT_TMP_TAG "aB3xY9");
	assert_int_equal(access(dead, F_OK), -1);
	assert_int_equal(access(live, F_OK), 0);
	assert_int_equal(access(other, F_OK), 0);
	close(fd);
	/* out_check says what it removed, in one line (here nothing: 10 s have not passed). */
	capture_begin(&c);
	assert_int_equal(out_check("--json", live), 0);
	msg = capture_end(&c);
	assert_string_equal(msg, "");
	free(msg);
	assert_int_equal(out_sweep_stale(dfd, 0, said, sizeof(said)), 1);
	close(dfd);
	unlink(other);
	assert_int_equal(others(NULL), 0);
}

/* A signal that ends the process while a report is written takes its temporary file along. */
static void test_signal_removes_tmp(void **state)
{
	char path[128];
	pid_t pid;
	int st;

	(void)state;
	snprintf(path, sizeof(path), "%s/sig.json", dir);
	pid = fork();
	if (pid == 0) {
		struct out o;

		if (out_open(&o, path))
			_exit(1);
		fputs("half a report", o.f);
		fflush(o.f);
		raise(SIGTERM);
		_exit(2);
	}
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFSIGNALED(st));
	assert_int_equal(WTERMSIG(st), SIGTERM);
	assert_int_equal(others(NULL), 0);
}

static void test_errors(void **state)
{
	struct capture c;
	struct out o;
	char *msg;
	int p[2], saved;

	(void)state;
	capture_begin(&c);
	assert_int_equal(out_open(&o, "/nonexistent/dir/report.html"), -ENOENT);
	assert_int_equal(out_open(&o, ""), -EINVAL);
	msg = capture_end(&c);
	assert_non_null(strstr(msg, "cannot write /nonexistent/dir/report.html"));
	assert_non_null(strstr(msg, "no output file given"));
	free(msg);

	/* A reader that went away: EPIPE, an error to report, not death by SIGPIPE. */
	signal(SIGPIPE, SIG_IGN);
	assert_int_equal(pipe(p), 0);
	close(p[0]);
	fflush(stdout);
	saved = dup(1);
	dup2(p[1], 1);
	close(p[1]);
	assert_int_equal(out_open(&o, "-"), 0);
	fputs("x", o.f);
	capture_begin(&c);
	assert_int_equal(out_close(&o, 0), -EPIPE);
	msg = capture_end(&c);
	dup2(saved, 1);
	close(saved);
	assert_non_null(strstr(msg, "cannot write standard output"));
	free(msg);
	signal(SIGPIPE, SIG_DFL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rename_into_place),
		cmocka_unit_test(test_unpredictable_names),
		cmocka_unit_test(test_planted_link),
		cmocka_unit_test(test_special_files),
		cmocka_unit_test(test_check),
		cmocka_unit_test(test_sweep_stale),
		cmocka_unit_test(test_signal_removes_tmp),
		cmocka_unit_test(test_errors),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
