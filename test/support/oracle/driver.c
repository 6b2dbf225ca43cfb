/* Runs command lines one by one under a real shell inside the oracle's chroot, with as few
 * processes as possible per line (this runs thousands of lines). Started by shellOracle.ts inside
 * private mount, network, UTS and IPC namespaces: nothing it mounts is seen outside and nothing it
 * runs reaches a network.
 *
 * For each line: a fresh overlay over the pristine chroot (LOWER), so whatever the line writes
 * lands in the overlay's upper folder and the chroot never changes; a PID namespace of its own
 * whose first process mounts a read-only /proc (bash hands process substitutions over as
 * /dev/fd/N), starts the shell and reaps every process until none is left (so programs sent to the
 * background get to run and be recorded); and a time limit, after which the whole namespace is
 * killed. What each run left goes to OUT: N.rc (exit status, 137 after the time limit), N.files
 * (`TYPE PATH\0` for everything in the upper folder, TYPE as find's %y) and N.log (the recording
 * stand-ins' log).
 *
 * Run by root, or by anyone inside `unshare -r` (a user namespace where they are root).
 *
 * Usage: driver LOWER SCRATCH OUT SHELL MILLISECONDS LINES   (LINES: NUL-separated, numbered from 0) */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <grp.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static char *const ENVIRONMENT[] = {"HOME=/home/dev", "PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin",
                                    "USER=dev", "LOGNAME=dev", "LANG=C", "TERM=dumb", NULL};
/* The chroot's user (shellOracle.ts gives it the chroot's files), and what one line may use. */
#define LINE_USER 54321
#define LINE_PROCESSES 256
#define LINE_MEMORY (512L << 20)

static const char *upper_root;
static FILE *listing;

static void die(const char *what) {
  perror(what);
  exit(90);
}

static char *slurp(const char *path, size_t *size) {
  int fd = open(path, O_RDONLY);
  if (fd < 0) return NULL;
  struct stat st;
  fstat(fd, &st);
  char *data = malloc((size_t)st.st_size + 1);
  size_t got = 0;
  ssize_t n;
  while (got < (size_t)st.st_size && (n = read(fd, data + got, (size_t)st.st_size - got)) > 0) got += (size_t)n;
  close(fd);
  *size = got;
  return data;
}

static void spill(const char *path, const char *data, size_t size) {
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) die(path);
  if (write(fd, data, size) != (ssize_t)size) die(path);
  close(fd);
}

static int list_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
  (void)flag;
  if (ftw->level == 0) return 0;
  char type = S_ISDIR(st->st_mode) ? 'd' : S_ISLNK(st->st_mode) ? 'l' : S_ISCHR(st->st_mode) ? 'c'
            : S_ISBLK(st->st_mode) ? 'b' : S_ISFIFO(st->st_mode) ? 'p' : S_ISSOCK(st->st_mode) ? 's' : 'f';
  fprintf(listing, "%c %s%c", type, path + strlen(upper_root) + 1, 0);
  return 0;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
  (void)st, (void)flag, (void)ftw;
  remove(path);
  return 0;
}

/* The first process of the line's PID namespace: chroot, /proc, the shell, then reap everything. */
static int first_process(const char *merged, const char *shell, const char *line) {
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  int null = open("/dev/null", O_RDWR);
  if (null < 0 || chroot(merged) != 0 || chdir("/home/dev/project") != 0) return 91;
  mount("proc", "/proc", "proc", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
  /* A line may be a fork bomb or grow a variable without end: bound processes and memory. The
   * process limit binds only a user other than root, so the shell runs as the chroot's own user
   * (who owns the chroot's files) where that user exists, as it does when this runs as real root. */
  struct rlimit processes = {LINE_PROCESSES, LINE_PROCESSES}, memory = {LINE_MEMORY, LINE_MEMORY};
  setrlimit(RLIMIT_NPROC, &processes);
  setrlimit(RLIMIT_AS, &memory);
  if (setgroups(0, NULL) == 0 && setgid(LINE_USER) == 0) setuid(LINE_USER);
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, NULL);
  pid_t child = fork();
  if (child == 0) {
    dup2(null, 0), dup2(null, 1), dup2(null, 2);
    if (null > 2) close(null);
    char path[64];
    snprintf(path, sizeof path, "/.oracle/%s", shell);
    char *argv[] = {(char *)shell, "-c", (char *)line, NULL};
    execve(path, argv, ENVIRONMENT);
    _exit(127);
  }
  int code = 126, status;
  for (;;) {
    pid_t pid = waitpid(-1, &status, 0);
    if (pid < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (pid == child) code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }
  return code;
}

/* Waits for the namespace's first process until the deadline, then kills the whole namespace. */
static int wait_with_limit(pid_t pid, long milliseconds) {
  struct timespec start, now;
  clock_gettime(CLOCK_MONOTONIC, &start);
  sigset_t chld;
  sigemptyset(&chld);
  sigaddset(&chld, SIGCHLD);
  int status;
  for (;;) {
    pid_t done = waitpid(pid, &status, WNOHANG);
    if (done == pid) return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    clock_gettime(CLOCK_MONOTONIC, &now);
    long spent = (now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000;
    if (spent >= milliseconds) break;
    long left = milliseconds - spent;
    struct timespec wait = {left / 1000, (left % 1000) * 1000000};
    sigtimedwait(&chld, NULL, &wait);
  }
  kill(pid, SIGKILL);
  waitpid(pid, &status, 0);
  return 137;
}

int main(int argc, char **argv) {
  if (argc != 7) {
    fprintf(stderr, "usage: driver LOWER SCRATCH OUT SHELL MILLISECONDS LINES\n");
    return 2;
  }
  const char *lower = argv[1], *scratch = argv[2], *out = argv[3], *shell = argv[4];
  long limit = atol(argv[5]);
  size_t size;
  char *lines = slurp(argv[6], &size);
  if (!lines) die(argv[6]);
  if (mount("oracle", scratch, "tmpfs", 0, "size=256m") != 0) die("tmpfs");
  sigset_t chld;
  sigemptyset(&chld);
  sigaddset(&chld, SIGCHLD);
  sigprocmask(SIG_BLOCK, &chld, NULL);

  char dir[3072], upper[4096], work[4096], merged[4096], options[16384], path[8192];
  size_t at = 0;
  for (int i = 0; at < size; i++) {
    const char *line = lines + at;
    at += strlen(line) + 1;
    snprintf(dir, sizeof dir, "%s/%d", scratch, i);
    snprintf(upper, sizeof upper, "%s/u", dir);
    snprintf(work, sizeof work, "%s/w", dir);
    snprintf(merged, sizeof merged, "%s/m", dir);
    if (mkdir(dir, 0755) || mkdir(upper, 0755) || mkdir(work, 0755) || mkdir(merged, 0755)) die(dir);
    /* The overlay's / takes its owner from the upper folder: the line's user, as for every file. */
    if (chown(upper, LINE_USER, LINE_USER) != 0 && errno != EINVAL && errno != EPERM) die(upper);
    snprintf(options, sizeof options, "lowerdir=%s,upperdir=%s,workdir=%s", lower, upper, work);
    if (mount("overlay", merged, "overlay", 0, options) != 0) die("overlay");
    /* The machine's own /dev/null and /dev/zero, bound over empty files: no device node needs
     * making, so this works in a user namespace too. */
    for (int d = 0; d < 2; d++) {
      const char *device = d ? "/dev/zero" : "/dev/null";
      snprintf(path, sizeof path, "%s%s", merged, device);
      if (mount(device, path, NULL, MS_BIND, NULL) != 0) die(device);
    }

    pid_t first = (pid_t)syscall(SYS_clone, CLONE_NEWPID | SIGCHLD, 0, 0, 0, 0);
    if (first < 0) die("clone");
    if (first == 0) _exit(first_process(merged, shell, line));
    int code = wait_with_limit(first, limit);
    umount2(merged, MNT_DETACH);

    snprintf(path, sizeof path, "%s/%d.files", out, i);
    listing = fopen(path, "w");
    if (!listing) die(path);
    upper_root = upper;
    nftw(upper, list_entry, 16, FTW_PHYS);
    fclose(listing);
    snprintf(path, sizeof path, "%s/.oracle/log", upper);
    size_t log_size;
    char *log = slurp(path, &log_size);
    if (log) {
      snprintf(path, sizeof path, "%s/%d.log", out, i);
      spill(path, log, log_size);
      free(log);
    }
    snprintf(path, sizeof path, "%s/%d.rc", out, i);
    char text[16];
    spill(path, text, (size_t)snprintf(text, sizeof text, "%d\n", code));
    nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
  }
  umount2(scratch, MNT_DETACH);
  return 0;
}
