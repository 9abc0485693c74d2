#ifndef QUIESCE_CPROCESSSPAWN_H
#define QUIESCE_CPROCESSSPAWN_H
#include <sys/types.h>

/// Starts `argv[0]` (looked up in PATH) as the leader of a new process group, with every signal's
/// disposition reset and an empty signal mask, and with SIGKILL as its parent-death signal, so the child
/// does not outlive the agent even when the agent is killed with SIGKILL. Returns the child's pid, or -1
/// with errno set (ENOENT, EACCES, ... when exec failed).
///
/// Must be called from a thread that lives as long as the child: Linux delivers the parent-death
/// signal when the thread that forked exits.
pid_t quiesce_spawn(const char *const argv[]);

#endif
