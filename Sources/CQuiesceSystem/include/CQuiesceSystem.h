#ifndef QUIESCE_CQUIESCESYSTEM_H
#define QUIESCE_CQUIESCESYSTEM_H
#include <sys/types.h>

/// Starts `argv[0]` (looked up in PATH) as the leader of a new process group, with every signal's
/// disposition reset and an empty signal mask, and with SIGKILL as its parent-death signal, so the child
/// does not outlive the agent even when the agent is killed with SIGKILL. Returns the child's pid, or -1
/// with errno set (ENOENT, EACCES, ... when exec failed).
///
/// Must be called from a thread that lives as long as the child: Linux delivers the parent-death
/// signal when the thread that forked exits.
/// With `quiet` non-zero, the child's standard input, output and error are /dev/null.
pid_t quiesce_spawn(const char *const argv[], int quiet);

/// Gives every child that quiesce_spawn starts from now on a soft RLIMIT_NOFILE of `soft` (the limit
/// this process was started with, before it raised its own), so that raising the agent's limit does
/// not change its service's. 0 (the default) leaves children the agent's limit.
void quiesce_set_child_open_file_limit(unsigned long long soft);

/// A pollable descriptor that becomes readable when process `pid` ends (pidfd_open(2)); -1 on error.
int quiesce_pidfd_open(pid_t pid);

/// A non-blocking, close-on-exec eventfd; -1 on error.
int quiesce_eventfd(void);

/// Adds one to an eventfd, waking whoever polls it. Async-signal-safe.
void quiesce_eventfd_signal(int fd);

/// Resets an eventfd to zero.
void quiesce_eventfd_drain(int fd);

/// The pid of a child that has ended and awaits reaping, without reaping it; 0 when there is none.
pid_t quiesce_peek_ended_child(void);

/// Installs a handler for `signo` at once (sigaction, SA_RESTART) that counts each delivery and wakes
/// eventfd `fd`, so no delivery after this returns is lost. Unblocks `signo` in the calling thread, which
/// must live as long as the signal is watched, in case the process inherited it blocked. Returns 0, or -1
/// with errno set.
int quiesce_signal_watch(int signo, int fd);

/// The deliveries of `signo` counted since the last call, and resets the count.
unsigned quiesce_signal_take(int signo);

/// Makes the calling process a child subreaper, so orphaned descendants are re-parented to it.
int quiesce_become_subreaper(void);

/// A close-on-exec epoll instance; -1 with errno set on error.
int quiesce_epoll_create(void);

/// Watches `fd` for input, edge-triggered, reported by quiesce_epoll_wait as `token`. Returns 0, or -1
/// with errno set.
int quiesce_epoll_add(int epfd, int fd, unsigned long long token);

/// Waits up to `timeout_ms` (-1: forever) for watched descriptors and writes the tokens of up to
/// `capacity` of those signalled. Returns how many, 0 when the time passed, -1 with errno set.
int quiesce_epoll_wait(int epfd, unsigned long long *tokens, int capacity, int timeout_ms);

/// Sends `method url` (an https:// URL) through libcurl, which it loads at its first call
/// (dlopen("libcurl.so.4")), and waits at most `timeout_ms` for the answer, whose body it discards.
/// Returns the answer's HTTP status, or -1 with why not in `error` (at most `error_size` bytes).
/// Any thread may call it.
long quiesce_curl_request(const char *method, const char *url, long timeout_ms, char *error, size_t error_size);

/// Drops from this process's page tables the pages of its read-only private file mappings (the
/// executable's and the libraries' code and read-only data) that are still the file's own, so that
/// they stop counting in its resident memory until touched again; the kernel keeps them in its page
/// cache and maps them back, unchanged, on the next access. Pages a relocation wrote (anonymous
/// copies) and writable mappings are left alone. Returns the bytes dropped; 0 when /proc/self/pagemap
/// cannot be read.
size_t quiesce_release_read_only_file_pages(void);

#endif
