sockleak run --seconds 10 --quiesce-max 10s
