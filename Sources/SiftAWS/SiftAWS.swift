// SiftAWS
