/* sys/un.h on Windows: AF_UNIX addresses (afunix.h). */
#include <winsock2.h>
#include <afunix.h>
