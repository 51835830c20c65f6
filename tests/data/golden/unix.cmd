sockleak run --transport unix --seconds 5
