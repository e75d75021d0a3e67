// wait.h -- the one epoll_wait of the addon, shared by epoll.cc (the raw
// epollWait) and batch.cc (the reactor's wait-and-read turn).
#ifndef EPOLL_REACTOR_WAIT_H_
#define EPOLL_REACTOR_WAIT_H_

#include <stddef.h>
#include <stdint.h>

namespace er {

// epoll_wait into a thread-local scratch array, unpacked into `out` as
// [fd, events, token] per event. Retries EINTR within the timeout.
// Returns the count or -errno; never allocates once the scratch is big enough.
int WaitUnpack(int epfd, uint32_t* out, size_t max_events, int timeout);

}  // namespace er

#endif  // EPOLL_REACTOR_WAIT_H_
