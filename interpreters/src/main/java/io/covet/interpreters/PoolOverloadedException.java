package io.covet.interpreters;

import java.util.concurrent.RejectedExecutionException;

/** Submission was refused because the pool's wait queue is full; nothing was started. */
public final class PoolOverloadedException extends RejectedExecutionException {

    private final int size;
    private final int queueLimit;

    PoolOverloadedException(int size, int queueLimit) {
        super("interpreter pool is overloaded: all " + size + " interpreters are busy and " + queueLimit
                + " tasks are already waiting (the queue limit); retry later or raise PoolConfig.queueLimit");
        this.size = size;
        this.queueLimit = queueLimit;
    }

    public int size() {
        return size;
    }

    public int queueLimit() {
        return queueLimit;
    }
}
