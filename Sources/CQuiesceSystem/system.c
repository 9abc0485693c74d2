#define _GNU_SOURCE
#include "CQuiesceSystem.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <stdint.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static _Atomic unsigned long long child_open_file_limit = 0;

void quiesce_set_child_open_file_limit(unsigned long long soft) {
    atomic_store(&child_open_file_limit, soft);
}

pid_t quiesce_spawn(const char *const argv[], int quiet) {
    unsigned long long open_file_limit = atomic_load(&child_open_file_limit);
    // A close-on-exec pipe reports an exec failure back to the parent.
    int report[2];
    if (pipe2(report, O_CLOEXEC) != 0) {
        return -1;
    }
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid < 0) {
        int saved = errno;
        close(report[0]);
        close(report[1]);
        errno = saved;
        return -1;
    }
    if (pid == 0) {
        // Only async-signal-safe calls from here on.
        close(report[0]);
        setpgid(0, 0);
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent) {
            _exit(127);
        }
        struct sigaction action;
        memset(&action, 0, sizeof(action));
        action.sa_handler = SIG_DFL;
        for (int signal = 1; signal < NSIG; signal++) {
            sigaction(signal, &action, NULL);
        }
        if (quiet) {
            int null = open("/dev/null", O_RDWR);
            if (null >= 0) {
                dup2(null, 0);
                dup2(null, 1);
                dup2(null, 2);
                if (null > 2) {
                    close(null);
                }
            }
        }
        if (open_file_limit != 0) {
            // getrlimit and setrlimit are bare system calls in glibc, safe after fork.
            struct rlimit limit;
            if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && open_file_limit < limit.rlim_cur) {
                limit.rlim_cur = (rlim_t)open_file_limit;
                setrlimit(RLIMIT_NOFILE, &limit);
            }
        }
        sigset_t empty;
        sigemptyset(&empty);
        sigprocmask(SIG_SETMASK, &empty, NULL);
        execvp(argv[0], (char *const *)argv);
        int failure = errno;
        ssize_t ignored = write(report[1], &failure, sizeof(failure));
        (void)ignored;
        _exit(127);
    }
    close(report[1]);
    int failure = 0;
    ssize_t got;
    do {
        got = read(report[0], &failure, sizeof(failure));
    } while (got < 0 && errno == EINTR);
    close(report[0]);
    if (got == sizeof(failure)) {
        int status;
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
        }
        errno = failure;
        return -1;
    }
    return pid;
}

int quiesce_pidfd_open(pid_t pid) {
    return (int)syscall(SYS_pidfd_open, pid, 0);
}

int quiesce_eventfd(void) {
    return eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
}

void quiesce_eventfd_signal(int fd) {
    uint64_t one = 1;
    ssize_t ignored = write(fd, &one, sizeof(one));
    (void)ignored;
}

void quiesce_eventfd_drain(int fd) {
    uint64_t value;
    ssize_t ignored = read(fd, &value, sizeof(value));
    (void)ignored;
}

// Per signal: deliveries not yet taken, and the eventfd to wake (-1: none).
static atomic_uint signal_counts[NSIG];
static atomic_int signal_wakers[NSIG];

static void quiesce_signal_handler(int signo) {
    int saved = errno;
    atomic_fetch_add(&signal_counts[signo], 1);
    int fd = atomic_load(&signal_wakers[signo]);
    if (fd >= 0) {
        quiesce_eventfd_signal(fd);
    }
    errno = saved;
}

int quiesce_signal_watch(int signo, int fd) {
    if (signo <= 0 || signo >= NSIG) {
        errno = EINVAL;
        return -1;
    }
    atomic_store(&signal_wakers[signo], fd);
    struct sigaction action;
    memset(&action, 0, sizeof(action));
    action.sa_handler = quiesce_signal_handler;
    action.sa_flags = SA_RESTART;
    sigemptyset(&action.sa_mask);
    if (sigaction(signo, &action, NULL) != 0) {
        return -1;
    }
    // A process can inherit the signal blocked (a parent's worker thread spawned it); the calling
    // thread takes it from here on.
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, signo);
    errno = pthread_sigmask(SIG_UNBLOCK, &set, NULL);
    return errno == 0 ? 0 : -1;
}

unsigned quiesce_signal_take(int signo) {
    if (signo <= 0 || signo >= NSIG) {
        return 0;
    }
    return atomic_exchange(&signal_counts[signo], 0);
}

int quiesce_become_subreaper(void) {
    return prctl(PR_SET_CHILD_SUBREAPER, 1);
}

pid_t quiesce_peek_ended_child(void) {
    siginfo_t info;
    memset(&info, 0, sizeof(info));
    if (waitid(P_ALL, 0, &info, WEXITED | WNOHANG | WNOWAIT) != 0) {
        return 0;
    }
    return info.si_pid;
}
