/*
 * ner_parallel_for: element-wise native work split over the CPUs with plain pthreads. Threads are
 * started per call (tens of microseconds), so callers pass a grain below which the work runs on the
 * calling thread alone; the kernels that use it stream memory, where two threads already saturate
 * a node's bandwidth share.
 */
#include "ner_addon.h"

#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

#ifndef NER_USE_ACCELERATE
extern int openblas_get_num_threads(void);
#endif

#define NER_MAX_THREADS 64

int ner_threads(void) {
  static int cached = 0;
  if (cached > 0) return cached;
  int n = 0;
#ifndef NER_USE_ACCELERATE
  n = openblas_get_num_threads(); /* follows OPENBLAS_NUM_THREADS / OMP_NUM_THREADS, like the products */
#endif
  if (n <= 0) {
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    n = cpus > 0 ? (int)cpus : 1;
  }
  cached = n > NER_MAX_THREADS ? NER_MAX_THREADS : n;
  return cached;
}

typedef struct {
  ner_range_fn fn;
  void* ctx;
  int64_t begin, end;
} ner_chunk;

static void* run_chunk(void* arg) {
  ner_chunk* c = (ner_chunk*)arg;
  c->fn(c->ctx, c->begin, c->end);
  return NULL;
}

void ner_parallel_for(int64_t n, int64_t grain, ner_range_fn fn, void* ctx) {
  if (n <= 0) return;
  int64_t threads = ner_threads();
  if (grain < 1) grain = 1;
  if (threads > n / grain) threads = n / grain;
  if (threads <= 1) {
    fn(ctx, 0, n);
    return;
  }
  ner_chunk chunks[NER_MAX_THREADS];
  pthread_t ids[NER_MAX_THREADS];
  int started[NER_MAX_THREADS] = {0};
  const int64_t per = ((n + threads - 1) / threads + 15) & ~(int64_t)15;
  int64_t count = 0;
  for (int64_t t = 0; t < threads && t * per < n; t++) {
    chunks[t] = (ner_chunk){fn, ctx, t * per, (t + 1) * per < n ? (t + 1) * per : n};
    count = t + 1;
  }
  /* Chunk 0 runs here; a thread that cannot be started runs here too (same result, just later). */
  for (int64_t t = 1; t < count; t++) started[t] = pthread_create(&ids[t], NULL, run_chunk, &chunks[t]) == 0;
  run_chunk(&chunks[0]);
  for (int64_t t = 1; t < count; t++) {
    if (started[t]) pthread_join(ids[t], NULL);
    else run_chunk(&chunks[t]);
  }
}
