sockleak run --seconds 5
