#ifndef SHIPMETER_CGIT2_SHIM_H
#define SHIPMETER_CGIT2_SHIM_H
#include <git2.h>
#endif
