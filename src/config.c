/* The names of the configuration's enums: transports, server-close modes, syscall layers. */
#include "config.h"

#include "model/names.h"

static const char *const transport_names[TR_COUNT] = {
	[TR_TCP] = "tcp",     [TR_TCP6] = "tcp6", [TR_UDP] = "udp",
	[TR_UDP6] = "udp6",   [TR_UNIX] = "unix", [TR_UNIX_DGRAM] = "unix-dgram",
	[TR_MPTCP] = "mptcp",
};

static const char *const close_names[SC_COUNT] = {
	[SC_EOF] = "eof",
	[SC_IMMEDIATE] = "immediate",
	[SC_NEVER_READ] = "never-read",
	[SC_RST] = "rst",
};

static const char *const api_names[API_COUNT] = {
	[API_SYSCALLS] = "syscalls",
	[API_IO_URING] = "io_uring",
};

const char *api_name(enum api_kind a)
{
	return (unsigned)a < API_COUNT ? api_names[a] : "?";
}

const char *transport_name(enum transport_kind k)
{
	return name_at(transport_names, TR_COUNT, (unsigned)k);
}

int transport_parse(const char *name, enum transport_kind *out)
{
	int i = name_index(transport_names, TR_COUNT, name, false);

	if (i < 0)
		return i;
	*out = (enum transport_kind)i;
	return 0;
}

const char *server_close_name(enum server_close m)
{
	return name_at(close_names, SC_COUNT, (unsigned)m);
}

int server_close_parse(const char *name, enum server_close *out)
{
	int i = name_index(close_names, SC_COUNT, name, false);

	if (i < 0)
		return i;
	*out = (enum server_close)i;
	return 0;
}

static const char *const io_names[IO_COUNT] = {
	[IO_BLOCKING] = "blocking",
	[IO_OVERLAPPED_APC] = "overlapped-apc",
	[IO_IOCP] = "iocp",
};

const char *io_mode_name(enum io_mode m)
{
	return name_at(io_names, IO_COUNT, (unsigned)m);
}

int io_mode_parse(const char *name, enum io_mode *out)
{
	int i = name_index(io_names, IO_COUNT, name, false);

	if (i < 0)
		return i;
	*out = (enum io_mode)i;
	return 0;
}
