module arsenal/bench/go

go 1.19
