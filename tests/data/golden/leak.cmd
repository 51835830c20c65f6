sockleak run --inject-leak 1000 --seconds 5
