// Fails while loading.
throw new TypeError("cannot start without CONFIG");
