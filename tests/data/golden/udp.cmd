sockleak run --transport udp --seconds 5
