module github.com/patternvault/patternvault

go 1.26
