/* The first process of each run's PID namespace. It starts the shell and then reaps every
 * process until none is left, so a program the line sent to the background (`rm -rf ~ &`,
 * `>(cmd)`, `coproc`) gets to run and be recorded before the namespace dies. It exits with the
 * shell's status. The caller's time limit kills the whole namespace if something never ends. */
#include <errno.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv) {
  if (argc < 2) return 127;
  /* bash passes process substitutions as /dev/fd/N (a link into /proc). This /proc shows only
   * this namespace's processes and is read-only, so no line can reach the kernel's settings. */
  mount("proc", "/proc", "proc", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
  pid_t shell = fork();
  if (shell < 0) return 126;
  if (shell == 0) {
    execv(argv[1], argv + 1);
    _exit(127);
  }
  int code = 0, status;
  for (;;) {
    pid_t pid = waitpid(-1, &status, 0);
    if (pid < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (pid == shell) code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }
  return code;
}
