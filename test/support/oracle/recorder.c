/* The stand-in for every program a command line can run inside the oracle's chroot. It runs
 * nothing: it appends what the shell asked for (the path it executed, argv, the environment, the
 * working folder, and for programs that read code from stdin, that code) to /.oracle/log, in one
 * write so records of programs running side by side never interleave, and exits 0.
 *
 * Record: "\1run\0" path\0 cwd\0 argc\0 argv...\0 envc\0 env...\0 stdin-length\0 stdin-bytes */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <unistd.h>

extern char **environ;

static char *buf;
static size_t len, cap;

static void put(const char *data, size_t n) {
  if (len + n > cap) {
    cap = (len + n) * 2 + 4096;
    buf = realloc(buf, cap);
    if (!buf) _exit(0);
  }
  memcpy(buf + len, data, n);
  len += n;
}

static void field(const char *text) { put(text, strlen(text) + 1); }

static void number(size_t n) {
  char text[32];
  snprintf(text, sizeof text, "%zu", n);
  field(text);
}

/* Shells and interpreters read a program from stdin when given no script: keep what they got. */
static int reads_code(const char *name) {
  static const char *names[] = {"sh", "bash", "dash", "zsh", "ksh", "python", "python3", "perl",
                                "ruby", "node", "php", "lua", NULL};
  for (int i = 0; names[i]; i++)
    if (strcmp(name, names[i]) == 0) return 1;
  return 0;
}

int main(int argc, char **argv) {
  const char *path = (const char *)getauxval(AT_EXECFN);
  if (!path) path = argv[0] ? argv[0] : "";
  const char *slash = strrchr(path, '/');
  const char *name = slash ? slash + 1 : path;
  char cwd[4096];
  if (!getcwd(cwd, sizeof cwd)) strcpy(cwd, "?");

  put("\1run", 5);
  field(path);
  field(cwd);
  number((size_t)argc);
  for (int i = 0; i < argc; i++) field(argv[i]);
  size_t envc = 0;
  while (environ[envc]) envc++;
  number(envc);
  for (size_t i = 0; i < envc; i++) field(environ[i]);

  char input[65536];
  size_t got = 0;
  if (reads_code(name)) {
    ssize_t n;
    while (got < sizeof input && (n = read(0, input + got, sizeof input - got)) > 0) got += (size_t)n;
  }
  number(got);
  put(input, got);

  int fd = open("/.oracle/log", O_WRONLY | O_APPEND | O_CREAT, 0644);
  if (fd >= 0) {
    ssize_t ignored = write(fd, buf, len);
    (void)ignored;
    close(fd);
  }
  return 0;
}
