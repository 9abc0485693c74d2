#ifndef QUIESCE_CZEROMQ_SHIM_H
#define QUIESCE_CZEROMQ_SHIM_H
#include <zmq.h>
#endif
