/* sys/socket.h on Windows: Winsock (the compat header has it already). */
#include <winsock2.h>
#include <ws2tcpip.h>
