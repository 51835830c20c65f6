sockleak run --sequence abort --seconds 5
