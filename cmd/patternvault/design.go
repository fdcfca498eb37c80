package main

import (
	"context"
	"errors"
)

func runInspect(ctx context.Context, e *env, args []string) error {
	return errors.New("inspect: not available yet")
}

func runConvert(ctx context.Context, e *env, args []string) error {
	return errors.New("convert: not available yet")
}

func runThumbnail(ctx context.Context, e *env, args []string) error {
	return errors.New("thumbnail: not available yet")
}
