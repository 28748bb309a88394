/*
 * The optimizer and the dropout masks of the native tier, in place on the wasm heap:
 *
 * - adamw: torch's single-tensor AdamW update of one parameter, every operation in float32 and in
 *   torch's order (the same numbers as src/backend/adamw-kernel.ts's reference loop, bit for bit),
 *   vectorised by the compiler (no FMA contraction: -ffp-contract=off) and split over threads.
 * - dropoutMask: 0 or 1/(1-rate) per element from the counter-based bits of ner_addon.h.
 */
#include "ner_addon.h"

#include <math.h>

/*
 * x86-64 builds carry an AVX2 copy of the hot loops besides the baseline SSE2 one, chosen at load
 * (GCC function multi-versioning). Results are the same: the integer hash is exact, and the float
 * operations stay separate IEEE float32 operations (no FMA: -ffp-contract=off).
 */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && defined(__GLIBC__) /* ifunc */
#define NER_VECTOR_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define NER_VECTOR_CLONES
#endif

typedef struct {
  float* restrict p;
  float* restrict m;
  float* restrict v;
  const float* restrict g;
  float decay, b1c, b2, b2c, bc2, eps, ns, scale;
  int with_decay, with_scale;
} adamw_args;

/*
 * m ← m + (g − m)·(1−β1);  v ← v·β2 + (g·(1−β2))·g;  p ← p·decay;
 * p ← p + (m·(−stepSize)) / (√v / √(1−β2^t) + ε)       — each operation rounded to float32.
 */
NER_VECTOR_CLONES static void adamw_range(void* ctx, int64_t begin, int64_t end) {
  const adamw_args* a = (const adamw_args*)ctx;
  float* restrict p = a->p;
  float* restrict m = a->m;
  float* restrict v = a->v;
  const float* restrict g = a->g;
  const float decay = a->decay, b1c = a->b1c, b2 = a->b2, b2c = a->b2c, bc2 = a->bc2, eps = a->eps, ns = a->ns;
  if (a->with_scale) {
    /* Gradient clipping folded in: g·coef rounded to float32 first, as torch's grad.mul_(coef). */
    const float scale = a->scale;
    for (int64_t i = begin; i < end; i++) {
      const float gi = g[i] * scale;
      const float mi = m[i] + (gi - m[i]) * b1c;
      const float vi = v[i] * b2 + (gi * b2c) * gi;
      const float denom = sqrtf(vi) / bc2 + eps;
      m[i] = mi;
      v[i] = vi;
      p[i] = p[i] * decay + (mi * ns) / denom;
    }
  } else if (a->with_decay) {
    for (int64_t i = begin; i < end; i++) {
      const float gi = g[i];
      const float mi = m[i] + (gi - m[i]) * b1c;
      const float vi = v[i] * b2 + (gi * b2c) * gi;
      const float denom = sqrtf(vi) / bc2 + eps;
      m[i] = mi;
      v[i] = vi;
      p[i] = p[i] * decay + (mi * ns) / denom;
    }
  } else {
    for (int64_t i = begin; i < end; i++) {
      const float gi = g[i];
      const float mi = m[i] + (gi - m[i]) * b1c;
      const float vi = v[i] * b2 + (gi * b2c) * gi;
      const float denom = sqrtf(vi) / bc2 + eps;
      m[i] = mi;
      v[i] = vi;
      p[i] = p[i] + (mi * ns) / denom;
    }
  }
}

/*
 * adamw(heap, pOff, mOff, vOff, gOff, n, decay, oneMinusBeta1, beta2, oneMinusBeta2, bc2Sqrt, eps,
 * negStepSize[, gradScale]): scalars arrive in double and are rounded to float32 here (tfjs scalars
 * are float32); decay === 1 means no weight decay (multiplying by 1 changes nothing, so it is skipped);
 * gradScale (default 1) multiplies each gradient first: clipping without a pass of its own.
 */
static napi_value AdamW(napi_env env, napi_callback_info info) {
  size_t argc = 14;
  napi_value argv[14];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok) return NULL;
  int64_t v[5];
  double s[8] = {0, 0, 0, 0, 0, 0, 0, 1};
  if (argc != 13 && argc != 14) {
    napi_throw_type_error(env, NULL, "ner_blas.adamw: expected 13 or 14 arguments");
    return NULL;
  }
  if (!ner_get_i64s(env, argv, 1, 5, v, "adamw")) return NULL;
  for (int i = 0; i < (int)argc - 6; i++) {
    if (!ner_get_f64(env, argv[6 + i], &s[i])) {
      napi_throw_type_error(env, NULL, "ner_blas.adamw: the AdamW scalars must be numbers");
      return NULL;
    }
  }
  const int64_t n = v[4];
  const int64_t offs[4] = {v[0], v[1], v[2], v[3]}, counts[4] = {n, n, n, n};
  uint8_t* heap;
  if (!ner_heap_and_bounds(env, argv[0], offs, counts, 4, &heap, "adamw")) return NULL;
  adamw_args a = {
      (float*)(heap + v[0]), (float*)(heap + v[1]), (float*)(heap + v[2]), (const float*)(heap + v[3]),
      (float)s[0], (float)s[1], (float)s[2], (float)s[3], (float)s[4], (float)s[5], (float)s[6], (float)s[7],
      s[0] != 1.0, (float)s[7] != 1.0f,
  };
  ner_parallel_for(n, 1 << 16, adamw_range, &a);
  return NULL;
}

typedef struct {
  float* out;
  uint32_t k1, k2, threshold;
  float keep;
} dropout_args;

NER_VECTOR_CLONES static void dropout_range(void* ctx, int64_t begin, int64_t end) {
  const dropout_args* a = (const dropout_args*)ctx;
  /* Locals and a restrict pointer: the loop then vectorises (the stores cannot change the keys). */
  float* restrict out = a->out;
  const uint32_t k1 = a->k1, k2 = a->k2, threshold = a->threshold;
  const float keep = a->keep;
  for (int64_t i = begin; i < end; i++) out[i] = ner_random_bits(k1, k2, (uint32_t)i) >= threshold ? keep : 0.0f;
}

/* dropoutMask(heap, outOff, n, k1, k2, threshold, keep): out[i] = bits(i) >= threshold ? keep : 0. */
static napi_value DropoutMask(napi_env env, napi_callback_info info) {
  size_t argc = 7;
  napi_value argv[7];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok) return NULL;
  int64_t v[5];
  double keep = 0;
  if (argc != 7 || !ner_get_i64s(env, argv, 1, 5, v, "dropoutMask")) {
    if (argc != 7) napi_throw_type_error(env, NULL, "ner_blas.dropoutMask: expected 7 arguments");
    return NULL;
  }
  if (!ner_get_f64(env, argv[6], &keep)) {
    napi_throw_type_error(env, NULL, "ner_blas.dropoutMask: keep must be a number");
    return NULL;
  }
  if (v[1] > UINT32_MAX || v[2] < 0 || v[2] > UINT32_MAX || v[3] < 0 || v[3] > UINT32_MAX || v[4] < 0 ||
      v[4] > UINT32_MAX) {
    napi_throw_range_error(env, NULL, "ner_blas.dropoutMask: size, keys and threshold must fit in 32 bits");
    return NULL;
  }
  const int64_t offs[1] = {v[0]}, counts[1] = {v[1]};
  uint8_t* heap;
  if (!ner_heap_and_bounds(env, argv[0], offs, counts, 1, &heap, "dropoutMask")) return NULL;
  dropout_args a = {(float*)(heap + v[0]), (uint32_t)v[2], (uint32_t)v[3], (uint32_t)v[4], (float)keep};
  ner_parallel_for(v[1], 1 << 16, dropout_range, &a);
  return NULL;
}

typedef struct {
  const float* x;
  double partial[64];
  int64_t per;
} sumsq_args;

static void sumsq_range(void* ctx, int64_t begin, int64_t end) {
  sumsq_args* a = (sumsq_args*)ctx;
  /* Eight independent sums: without them every addition waits for the previous one (no -ffast-math). */
  double acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  int64_t i = begin;
  for (; i + 8 <= end; i += 8) {
    for (int j = 0; j < 8; j++) acc[j] += (double)a->x[i + j] * (double)a->x[i + j];
  }
  for (; i < end; i++) acc[0] += (double)a->x[i] * (double)a->x[i];
  a->partial[begin / a->per] = ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
}

/* sumSquares(heap, off, n): Σ x² over n floats, accumulated in double (threaded) — the clipping norm. */
static napi_value SumSquares(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok) return NULL;
  int64_t v[2];
  if (argc != 3) {
    napi_throw_type_error(env, NULL, "ner_blas.sumSquares: expected 3 arguments");
    return NULL;
  }
  if (!ner_get_i64s(env, argv, 1, 2, v, "sumSquares")) return NULL;
  const int64_t offs[1] = {v[0]}, counts[1] = {v[1]};
  uint8_t* heap;
  if (!ner_heap_and_bounds(env, argv[0], offs, counts, 1, &heap, "sumSquares")) return NULL;
  sumsq_args a = {(const float*)(heap + v[0]), {0}, 1};
  /* ner_parallel_for's chunk size, so each chunk knows its slot: ceil(n / threads) rounded up to 16. */
  const int64_t grain = 1 << 16, n = v[1];
  int64_t threads = ner_threads();
  if (threads > n / grain) threads = n / grain;
  if (threads < 1) threads = 1;
  a.per = threads <= 1 ? (n > 0 ? n : 1) : (((n + threads - 1) / threads + 15) & ~(int64_t)15);
  ner_parallel_for(n, grain, sumsq_range, &a);
  double total = 0;
  for (int i = 0; i < 64; i++) total += a.partial[i];
  napi_value out;
  if (napi_create_double(env, total, &out) != napi_ok) return NULL;
  return out;
}

napi_value ner_register_optim(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"adamw", NULL, AdamW, NULL, NULL, NULL, napi_default, NULL},
      {"sumSquares", NULL, SumSquares, NULL, NULL, NULL, napi_default, NULL},
      {"dropoutMask", NULL, DropoutMask, NULL, NULL, NULL, napi_default, NULL},
  };
  if (napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props) != napi_ok) return NULL;
  return exports;
}
