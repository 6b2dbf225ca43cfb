/* The stand-in for every program a command line can run inside the oracle's chroot. It appends
 * what the shell asked for (the path it executed, argv, the environment, the working folder, and
 * for shells and interpreters, what came on stdin) to /.oracle/log, in one write so records
 * of programs running side by side never interleave, and exits 0 having run nothing; except for
 * sh, dash and bash, which it then replaces with the real shell (see real_shell).
 *
 * Record: "\1run\0" path\0 cwd\0 argc\0 argv...\0 envc\0 env...\0 stdin-length\0 stdin-bytes */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
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

/* Whether an interpreter got its program as an option (`node -e "1"`, `python3 -c …`, `perl -ne …`),
 * so what comes on its stdin is data, not code: `echo 'open("/tmp/m","w")' | python3 -c "import os"`
 * and `echo 'require("fs").writeFileSync("/tmp/m","")' | node -e 1` leave no /tmp/m, while the same
 * text piped into plain `python3` does. Only the options before the first operand count; the gate
 * reads them the same way (constructs.ts, CODE_OPTIONS). Without this, `echo x > >(node -e "1")` was
 * reported as code fed on stdin. */
static int code_in_options(const char *name, int argc, char **argv) {
  const char *letters = strncmp(name, "python", 6) == 0 ? "c"
                        : strcmp(name, "php") == 0      ? "r"
                        : strcmp(name, "node") == 0     ? "ep"
                                                        : "eE";
  for (int i = 1; i < argc; i++) {
    const char *arg = argv[i];
    if (strcmp(arg, "--eval") == 0 || strcmp(arg, "--print") == 0) return strcmp(name, "node") == 0;
    if (arg[0] != '-' || arg[1] == '-' || arg[1] == '\0') return 0;
    /* A cluster of flag letters ending in the code option: -c, -Ic, -ne, -pe. */
    size_t n = strlen(arg);
    for (size_t k = 1; k < n; k++)
      if (!((arg[k] >= 'a' && arg[k] <= 'z') || (arg[k] >= 'A' && arg[k] <= 'Z'))) goto next;
    if (strchr(letters, arg[n - 1])) return 1;
  next:;
  }
  return 0;
}

/* sh, dash and bash are the real shells once recorded, so what a line hands them runs too (a
 * `bash -c '…'`, a script on stdin) and the programs they start are recorded in turn. */
static const char *real_shell(const char *name) {
  if (strcmp(name, "bash") == 0) return "/.oracle/bash";
  if (strcmp(name, "sh") == 0 || strcmp(name, "dash") == 0) return "/.oracle/dash";
  return NULL;
}

/* Whether a shell reads its commands from stdin: no -c, no script file, or -s. */
static int code_on_stdin(int argc, char **argv) {
  for (int i = 1; i < argc; i++) {
    const char *arg = argv[i];
    if (strcmp(arg, "--") == 0 || strcmp(arg, "-") == 0) return i + 1 >= argc;
    if (arg[0] == '-' && arg[1] == '-') continue; /* --norc, --posix… */
    if ((arg[0] == '-' || arg[0] == '+') && arg[1]) {
      if (strchr(arg + 1, 's')) return 1;
      if (strchr(arg + 1, 'c')) return 0;
      if (strchr(arg + 1, 'o') || strchr(arg + 1, 'O')) i++; /* -o NAME */
      continue;
    }
    return 0;
  }
  return 1;
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

  /* What came on stdin as code: all of it for a real shell, which gets it back unchanged; the
   * start of it for an interpreter that runs nothing here. */
  const char *shell = real_shell(name);
  int slurp = shell ? code_on_stdin(argc, argv) : reads_code(name) && !code_in_options(name, argc, argv);
  char *input = NULL;
  size_t got = 0, room = 0;
  if (slurp) {
    ssize_t n;
    do {
      if (!shell && got >= 65536) break;
      if (got == room) {
        room = room ? room * 2 : 65536;
        input = realloc(input, room);
        if (!input) _exit(0);
      }
      n = read(0, input + got, room - got);
      if (n > 0) got += (size_t)n;
    } while (n > 0);
  }
  size_t kept = got < 65536 ? got : 65536;
  number(kept);
  put(input ? input : "", kept);

  int fd = open("/.oracle/log", O_WRONLY | O_APPEND | O_CREAT, 0644);
  if (fd >= 0) {
    ssize_t ignored = write(fd, buf, len);
    (void)ignored;
    close(fd);
  }
  if (shell && slurp) {
    int copy = memfd_create("stdin", 0);
    if (copy >= 0 && write(copy, input ? input : "", got) == (ssize_t)got && lseek(copy, 0, SEEK_SET) == 0) {
      dup2(copy, 0);
      close(copy);
    }
  }
  if (shell) {
    execv(shell, argv);
    return 127;
  }
  return 0;
}
