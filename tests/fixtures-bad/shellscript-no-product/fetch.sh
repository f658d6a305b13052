echo hello > out/data.txt
