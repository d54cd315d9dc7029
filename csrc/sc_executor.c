#include "sc_executor.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "sc_log.h"

struct sc_executor {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    sc_job *head, *tail;
    int pending; /* queued + running */
    int stopping;
    int nthreads;
    pthread_t *threads;
    sc_executor_done_fn done;
    void *done_arg;
};

static void *sc_executor_main(void *arg)
{
    sc_executor *ex = arg;
    sc_dispatch_thread t;
    sc_dispatch_thread_init(&t);
    for (;;) {
        pthread_mutex_lock(&ex->lock);
        while (ex->head == NULL && !ex->stopping)
            pthread_cond_wait(&ex->cond, &ex->lock);
        sc_job *job = ex->head;
        if (job == NULL) {
            pthread_mutex_unlock(&ex->lock);
            break;
        }
        ex->head = job->next;
        if (ex->head == NULL)
            ex->tail = NULL;
        pthread_mutex_unlock(&ex->lock);

        job->next = NULL;
        sc_dispatch_run(&t, job);

        pthread_mutex_lock(&ex->lock);
        ex->pending--;
        pthread_mutex_unlock(&ex->lock);
        ex->done(job, ex->done_arg);
    }
    sc_dispatch_thread_free(&t);
    return NULL;
}

sc_executor *sc_executor_start(int nthreads, sc_executor_done_fn done, void *arg)
{
    if (nthreads < 1)
        nthreads = 1;
    sc_executor *ex = calloc(1, sizeof(*ex));
    if (ex == NULL)
        return NULL;
    ex->threads = calloc((size_t)nthreads, sizeof(pthread_t));
    if (ex->threads == NULL) {
        free(ex);
        errno = ENOMEM;
        return NULL;
    }
    pthread_mutex_init(&ex->lock, NULL);
    pthread_cond_init(&ex->cond, NULL);
    ex->done = done;
    ex->done_arg = arg;
    for (int i = 0; i < nthreads; i++) {
        int rc = pthread_create(&ex->threads[i], NULL, sc_executor_main, ex);
        if (rc != 0) {
            SC_ERROR("cannot start executor thread: %s", strerror(rc));
            ex->nthreads = i;
            sc_executor_stop(ex);
            errno = rc;
            return NULL;
        }
        ex->nthreads = i + 1;
    }
    return ex;
}

int sc_executor_submit(sc_executor *ex, sc_job *job)
{
    job->next = NULL;
    pthread_mutex_lock(&ex->lock);
    if (ex->stopping) {
        pthread_mutex_unlock(&ex->lock);
        return -ESHUTDOWN;
    }
    if (ex->tail)
        ex->tail->next = job;
    else
        ex->head = job;
    ex->tail = job;
    ex->pending++;
    pthread_cond_signal(&ex->cond);
    pthread_mutex_unlock(&ex->lock);
    return 0;
}

int sc_executor_pending(sc_executor *ex)
{
    pthread_mutex_lock(&ex->lock);
    int n = ex->pending;
    pthread_mutex_unlock(&ex->lock);
    return n;
}

void sc_executor_stop(sc_executor *ex)
{
    pthread_mutex_lock(&ex->lock);
    ex->stopping = 1;
    pthread_cond_broadcast(&ex->cond);
    pthread_mutex_unlock(&ex->lock);
    for (int i = 0; i < ex->nthreads; i++)
        pthread_join(ex->threads[i], NULL);
    pthread_mutex_destroy(&ex->lock);
    pthread_cond_destroy(&ex->cond);
    free(ex->threads);
    free(ex);
}
