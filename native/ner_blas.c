/*
 * ner_blas: float32 matrix products for TensorFlow.js's wasm backend, computed by a native BLAS
 * (OpenBLAS, or Accelerate on macOS) IN PLACE on the wasm heap — plus the fused row kernels that
 * dominate next in a transformer (exact GELU and LayerNorm, forward and backward).
 *
 * JS passes the heap's ArrayBuffer (fetched per call: heap growth detaches the old one) and byte
 * offsets of row-major operands; transposed operands are handled by the cblas transpose flags.
 * Every extent is checked against the buffer's length before BLAS touches it.
 */
#include "ner_addon.h"
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef NER_USE_ACCELERATE
#include <Accelerate/Accelerate.h>
#define NER_BLAS_LIBRARY "accelerate"
#else
#include <cblas.h>
#define NER_BLAS_LIBRARY "openblas"
#endif

static const float kSqrtHalf = 0.70710678118654752f; /* 1/√2 (M_SQRT1_2 is not in strict C11) */

/* Epilogue activations: the codes match tfjs-backend-wasm's FusableActivation (cc/fusable_activations.h). */
enum { ACT_LINEAR = 0, ACT_RELU = 1, ACT_RELU6 = 2, ACT_PRELU = 3, ACT_LEAKYRELU = 4, ACT_SIGMOID = 5, ACT_ELU = 6 };

#define CHECK(env, call)                                                  \
  do {                                                                    \
    if ((call) != napi_ok) {                                              \
      napi_throw_error((env), NULL, "ner_blas: N-API call failed: " #call); \
      return NULL;                                                        \
    }                                                                     \
  } while (0)


/* Bytes spanned by `batch` row-major matrices of rows×cols placed `stride` floats apart. */
static int64_t span_bytes(int64_t batch, int64_t stride, int64_t rows, int64_t cols) {
  if (batch <= 0 || rows <= 0 || cols <= 0) return 0;
  return ((batch - 1) * stride + rows * cols) * 4;
}

static float activate(float x, int act, float alpha, float prelu) {
  switch (act) {
    case ACT_RELU: return x > 0.f ? x : 0.f;
    case ACT_RELU6: return x < 0.f ? 0.f : (x > 6.f ? 6.f : x);
    case ACT_PRELU: return x < 0.f ? prelu * x : x;
    case ACT_LEAKYRELU: return x < 0.f ? alpha * x : x;
    case ACT_SIGMOID: return 1.f / (1.f + expf(-x));
    case ACT_ELU: return x > 0.f ? x : expm1f(x);
    default: return x;
  }
}

/* The bias + activation epilogue over rows [r0, r1) of C (bias and prelu per column, length n or 1). */
typedef struct {
  float* c;
  int64_t n;
  const float* bias;
  int64_t bias_len;
  const float* prelu;
  int64_t prelu_len;
  int act;
  float alpha;
} epilogue_args;

static void epilogue_rows(void* ctx, int64_t r0, int64_t r1) {
  const epilogue_args* e = (const epilogue_args*)ctx;
  const int64_t n = e->n;
  if (e->act == ACT_LINEAR && e->bias != NULL && e->bias_len == n) {
    /* Linear layers: a plain vectorisable row += bias (no index arithmetic per element). */
    const float* restrict bias = e->bias;
    for (int64_t r = r0; r < r1; r++) {
      float* restrict row = e->c + r * n;
      for (int64_t j = 0; j < n; j++) row[j] += bias[j];
    }
    return;
  }
  for (int64_t r = r0; r < r1; r++) {
    float* row = e->c + r * n;
    for (int64_t j = 0; j < n; j++) {
      float x = row[j];
      if (e->bias) x += e->bias[e->bias_len == n ? j : j % e->bias_len];
      row[j] = activate(x, e->act, e->alpha, e->prelu ? e->prelu[e->prelu_len == n ? j : j % e->prelu_len] : 0.f);
    }
  }
}

/*
 * Threading policy of the products. Waking a second BLAS thread costs microseconds and, on a loaded
 * machine, a scheduler slice; a product of fewer than `g_small_flops` FLOPs (set by blasPolicy)
 * therefore runs on one thread, and larger ones on the library's thread count (g_threads).
 */
static int g_threads = 0;        /* the BLAS's own thread count (0: not read yet, or Accelerate) */
static double g_small_flops = 0; /* products below this many FLOPs run single-threaded */

static void set_blas_threads(int n) {
#ifndef NER_USE_ACCELERATE
  if (n > 0) openblas_set_num_threads(n);
#else
  (void)n;
#endif
}

static int use_one_thread(int64_t m, int64_t n, int64_t k) {
#ifndef NER_USE_ACCELERATE
  if (g_threads == 0) g_threads = openblas_get_num_threads();
  if (g_threads > 1 && 2.0 * (double)m * (double)n * (double)k < g_small_flops) {
    set_blas_threads(1);
    return 1;
  }
#else
  (void)m, (void)n, (void)k;
#endif
  return 0;
}

/* blasPolicy([smallFlops[, threads]]): products under smallFlops FLOPs on one thread; threads > 0 sets
 * the BLAS's thread count for the others; no arguments reads the policy. Returns { smallFlops, threads }. */
static napi_value BlasPolicy(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  double small = g_small_flops, threads = 0;
  if ((argc >= 1 && !ner_get_f64(env, argv[0], &small)) || (argc > 1 && !ner_get_f64(env, argv[1], &threads)) || small < 0 ||
      threads < 0) {
    napi_throw_type_error(env, NULL, "ner_blas.blasPolicy: expected (smallFlops >= 0[, threads >= 0])");
    return NULL;
  }
  g_small_flops = small;
#ifndef NER_USE_ACCELERATE
  if (threads >= 1) {
    g_threads = (int)threads;
    set_blas_threads(g_threads);
  } else if (g_threads == 0) {
    g_threads = openblas_get_num_threads();
  }
#endif
  napi_value obj, v;
  CHECK(env, napi_create_object(env, &obj));
  CHECK(env, napi_create_double(env, g_small_flops, &v));
  napi_set_named_property(env, obj, "smallFlops", v);
  CHECK(env, napi_create_int32(env, g_threads, &v));
  napi_set_named_property(env, obj, "threads", v);
  return obj;
}

/*
 * gemm(heap, transA, transB, m, n, k, batch,
 *      aOff, strideA, bOff, strideB, cOff,
 *      [biasOff, biasLen, act, alpha, preluOff, preluLen])
 *
 * For i < batch: C_i[m,n] = op(A_i) @ op(B_i), A_i at aOff + 4·i·strideA (bytes), etc.; C is dense
 * (stride m·n). strideA/strideB may be 0 (broadcast). Optional epilogue on all of C, per element
 * (row r, column j): x = C + bias[j % biasLen]; C = act(x) with prelu weight preluW[j % preluLen].
 * biasOff/preluOff < 0 mean none.
 */
static napi_value Gemm(napi_env env, napi_callback_info info) {
  size_t argc = 18;
  napi_value argv[18];
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc != 12 && argc != 18) {
    napi_throw_type_error(env, NULL, "ner_blas.gemm: expected 12 or 18 arguments");
    return NULL;
  }
  uint8_t* heap = NULL;
  size_t heap_len = 0;
  if (!ner_heap_pointer(env, argv[0], &heap, &heap_len)) {
    napi_throw_type_error(env, NULL, "ner_blas.gemm: argument 1 must be the wasm heap's ArrayBuffer");
    return NULL;
  }
  bool ta = false, tb = false;
  CHECK(env, napi_get_value_bool(env, argv[1], &ta));
  CHECK(env, napi_get_value_bool(env, argv[2], &tb));
  int64_t v[9];
  for (int i = 0; i < 9; i++) {
    if (!ner_get_i64(env, argv[3 + i], &v[i])) {
      napi_throw_type_error(env, NULL, "ner_blas.gemm: sizes, offsets and strides must be numbers");
      return NULL;
    }
  }
  const int64_t m = v[0], n = v[1], k = v[2], batch = v[3];
  const int64_t a_off = v[4], stride_a = v[5], b_off = v[6], stride_b = v[7], c_off = v[8];
  if (m < 0 || n < 0 || k < 0 || batch < 0 || stride_a < 0 || stride_b < 0 || m > INT32_MAX || n > INT32_MAX || k > INT32_MAX) {
    napi_throw_range_error(env, NULL, "ner_blas.gemm: negative or too large size");
    return NULL;
  }
  const int64_t c_bytes = batch * m * n * 4;
  const int64_t a_bytes = k > 0 ? span_bytes(batch, stride_a, m, k) : 0;
  const int64_t b_bytes = k > 0 ? span_bytes(batch, stride_b, k, n) : 0;
  if (!ner_in_bounds(a_off, a_bytes, heap_len) || !ner_in_bounds(b_off, b_bytes, heap_len) || !ner_in_bounds(c_off, c_bytes, heap_len)) {
    napi_throw_range_error(env, NULL, "ner_blas.gemm: an operand lies outside the heap (or is not 4-byte aligned)");
    return NULL;
  }

  int64_t bias_off = -1, bias_len = 0, act = ACT_LINEAR, prelu_off = -1, prelu_len = 0;
  double alpha = 0;
  if (argc == 18) {
    if (!ner_get_i64(env, argv[12], &bias_off) || !ner_get_i64(env, argv[13], &bias_len) || !ner_get_i64(env, argv[14], &act) ||
        !ner_get_f64(env, argv[15], &alpha) || !ner_get_i64(env, argv[16], &prelu_off) || !ner_get_i64(env, argv[17], &prelu_len)) {
      napi_throw_type_error(env, NULL, "ner_blas.gemm: epilogue arguments must be numbers");
      return NULL;
    }
    if (act < ACT_LINEAR || act > ACT_ELU) {
      napi_throw_range_error(env, NULL, "ner_blas.gemm: unknown activation code");
      return NULL;
    }
    if ((bias_off >= 0 && (bias_len <= 0 || !ner_in_bounds(bias_off, bias_len * 4, heap_len))) ||
        (prelu_off >= 0 && (prelu_len <= 0 || !ner_in_bounds(prelu_off, prelu_len * 4, heap_len))) ||
        (act == ACT_PRELU && prelu_off < 0)) {
      napi_throw_range_error(env, NULL, "ner_blas.gemm: bias or prelu weights outside the heap or missing");
      return NULL;
    }
  }

  float* c = (float*)(heap + c_off);
  if (m > 0 && n > 0 && batch > 0) {
    if (k == 0) {
      memset(c, 0, (size_t)c_bytes);
    } else {
      const int single = use_one_thread(m, n, k);
      const float* a = (const float*)(heap + a_off);
      const float* b = (const float*)(heap + b_off);
      /* Row-major leading dimensions of the operands as stored (before the transpose flag). */
      const int lda = (int)(ta ? m : k), ldb = (int)(tb ? k : n), ldc = (int)n;
      for (int64_t i = 0; i < batch; i++) {
        cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, (int)m, (int)n, (int)k,
                    1.0f, a + i * stride_a, lda, b + i * stride_b, ldb, 0.0f, c + i * m * n, ldc);
      }
      if (single) set_blas_threads(g_threads);
    }
  }

  if (argc == 18 && (bias_off >= 0 || act != ACT_LINEAR)) {
    epilogue_args e = {c, n, bias_off >= 0 ? (const float*)(heap + bias_off) : NULL, bias_len,
                       prelu_off >= 0 ? (const float*)(heap + prelu_off) : NULL, prelu_len, (int)act, (float)alpha};
    ner_parallel_for(batch * m, (1 << 16) / (n > 0 ? n : 1) + 1, epilogue_rows, &e);
  }
  return NULL;
}

/* gelu(heap, xOff, yOff, n): y = x·Φ(x), Φ from erf — torch's exact (default) GELU. */
static napi_value Gelu(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  int64_t v[3];
  if (argc != 4 || !ner_get_i64s(env, argv, 1, 3, v, "gelu")) return NULL;
  const int64_t offs[2] = {v[0], v[1]}, counts[2] = {v[2], v[2]};
  uint8_t* heap;
  if (!ner_heap_and_bounds(env, argv[0], offs, counts, 2, &heap, "gelu")) return NULL;
  const float* x = (const float*)(heap + v[0]);
  float* y = (float*)(heap + v[1]);
  for (int64_t i = 0; i < v[2]; i++) y[i] = x[i] * 0.5f * (1.0f + erff(x[i] * kSqrtHalf));
  return NULL;
}

/* geluGrad(heap, xOff, dyOff, dxOff, n): dx = dy·(Φ(x) + x·φ(x)). */
static napi_value GeluGrad(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  int64_t v[4];
  if (argc != 5 || !ner_get_i64s(env, argv, 1, 4, v, "geluGrad")) return NULL;
  const int64_t offs[3] = {v[0], v[1], v[2]}, counts[3] = {v[3], v[3], v[3]};
  uint8_t* heap;
  if (!ner_heap_and_bounds(env, argv[0], offs, counts, 3, &heap, "geluGrad")) return NULL;
  const float* x = (const float*)(heap + v[0]);
  const float* dy = (const float*)(heap + v[1]);
  float* dx = (float*)(heap + v[2]);
  const float inv_sqrt_2pi = 0.3989422804014327f;
  for (int64_t i = 0; i < v[3]; i++) {
    const float xi = x[i];
    const float cdf = 0.5f * (1.0f + erff(xi * kSqrtHalf));
    const float pdf = expf(-0.5f * xi * xi) * inv_sqrt_2pi;
    dx[i] = dy[i] * (cdf + xi * pdf);
  }
  return NULL;
}

/*
 * layerNorm(heap, xOff, gammaOff, betaOff, yOff, xhatOff, invStdOff, rows, cols, eps):
 * per row, torch's LayerNorm (biased variance, eps inside the square root); also writes xhat and
 * 1/std for the backward pass. Moments are accumulated in double.
 */
static napi_value LayerNorm(napi_env env, napi_callback_info info) {
  size_t argc = 10;
  napi_value argv[10];
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  int64_t v[8];
  double eps = 0;
  if (argc != 10 || !ner_get_i64s(env, argv, 1, 8, v, "layerNorm")) return NULL;
  if (!ner_get_f64(env, argv[9], &eps)) {
    napi_throw_type_error(env, NULL, "ner_blas.layerNorm: eps must be a number");
    return NULL;
  }
  const int64_t rows = v[6], cols = v[7];
  const int64_t offs[6] = {v[0], v[1], v[2], v[3], v[4], v[5]};
  const int64_t counts[6] = {rows * cols, cols, cols, rows * cols, rows * cols, rows};
  uint8_t* heap;
  if (rows < 0 || cols < 0 || !ner_heap_and_bounds(env, argv[0], offs, counts, 6, &heap, "layerNorm")) return NULL;
  const float* gamma = (const float*)(heap + v[1]);
  const float* beta = (const float*)(heap + v[2]);
  for (int64_t r = 0; r < rows; r++) {
    const float* x = (const float*)(heap + v[0]) + r * cols;
    float* y = (float*)(heap + v[3]) + r * cols;
    float* xhat = (float*)(heap + v[4]) + r * cols;
    double sum = 0, sq = 0;
    for (int64_t j = 0; j < cols; j++) sum += x[j];
    const double mean = cols > 0 ? sum / (double)cols : 0;
    for (int64_t j = 0; j < cols; j++) sq += (x[j] - mean) * (x[j] - mean);
    const float inv = (float)(1.0 / sqrt((cols > 0 ? sq / (double)cols : 0) + eps));
    ((float*)(heap + v[5]))[r] = inv;
    for (int64_t j = 0; j < cols; j++) {
      const float h = (float)(x[j] - mean) * inv;
      xhat[j] = h;
      y[j] = h * gamma[j] + beta[j];
    }
  }
  return NULL;
}

/*
 * layerNormGrad(heap, dyOff, xhatOff, invStdOff, gammaOff, dxOff, dgammaOff, dbetaOff, rows, cols):
 * dx = invStd·(dxhat − mean(dxhat) − xhat·mean(dxhat·xhat)) with dxhat = dy·gamma;
 * dgamma = Σ_rows dy·xhat; dbeta = Σ_rows dy (column sums accumulated in double).
 */
static napi_value LayerNormGrad(napi_env env, napi_callback_info info) {
  size_t argc = 10;
  napi_value argv[10];
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  int64_t v[9];
  if (argc != 10 || !ner_get_i64s(env, argv, 1, 9, v, "layerNormGrad")) return NULL;
  const int64_t rows = v[7], cols = v[8];
  const int64_t offs[7] = {v[0], v[1], v[2], v[3], v[4], v[5], v[6]};
  const int64_t counts[7] = {rows * cols, rows * cols, rows, cols, rows * cols, cols, cols};
  uint8_t* heap;
  if (rows < 0 || cols < 0 || !ner_heap_and_bounds(env, argv[0], offs, counts, 7, &heap, "layerNormGrad")) return NULL;
  const float* gamma = (const float*)(heap + v[3]);
  double* dg = (double*)calloc((size_t)(cols > 0 ? cols : 1), sizeof(double));
  double* db = (double*)calloc((size_t)(cols > 0 ? cols : 1), sizeof(double));
  if (dg == NULL || db == NULL) {
    free(dg);
    free(db);
    napi_throw_error(env, NULL, "ner_blas.layerNormGrad: out of memory");
    return NULL;
  }
  for (int64_t r = 0; r < rows; r++) {
    const float* dy = (const float*)(heap + v[0]) + r * cols;
    const float* xh = (const float*)(heap + v[1]) + r * cols;
    const float inv = ((const float*)(heap + v[2]))[r];
    float* dx = (float*)(heap + v[4]) + r * cols;
    double m1 = 0, m2 = 0;
    for (int64_t j = 0; j < cols; j++) {
      const float d = dy[j] * gamma[j];
      m1 += d;
      m2 += (double)d * xh[j];
      dg[j] += (double)dy[j] * xh[j];
      db[j] += dy[j];
    }
    const float mean1 = (float)(m1 / (double)cols), mean2 = (float)(m2 / (double)cols);
    for (int64_t j = 0; j < cols; j++) dx[j] = inv * (dy[j] * gamma[j] - mean1 - xh[j] * mean2);
  }
  float* dgamma = (float*)(heap + v[5]);
  float* dbeta = (float*)(heap + v[6]);
  for (int64_t j = 0; j < cols; j++) {
    dgamma[j] = (float)dg[j];
    dbeta[j] = (float)db[j];
  }
  free(dg);
  free(db);
  return NULL;
}

static napi_value set_string(napi_env env, napi_value obj, const char* key, const char* value) {
  napi_value s;
  if (napi_create_string_utf8(env, value, NAPI_AUTO_LENGTH, &s) != napi_ok) return NULL;
  napi_set_named_property(env, obj, key, s);
  return obj;
}

/* info(): { library, version, threads, corename? } of the BLAS this addon was linked against. */
static napi_value Info(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value obj, threads;
  CHECK(env, napi_create_object(env, &obj));
  set_string(env, obj, "library", NER_BLAS_LIBRARY);
#ifdef NER_USE_ACCELERATE
  set_string(env, obj, "version", "Accelerate (vecLib)");
  CHECK(env, napi_create_int32(env, 0, &threads)); /* Accelerate manages its own threads */
#else
  set_string(env, obj, "version", openblas_get_config());
  set_string(env, obj, "corename", openblas_get_corename());
  CHECK(env, napi_create_int32(env, openblas_get_num_threads(), &threads));
#endif
  napi_set_named_property(env, obj, "threads", threads);
  return obj;
}

static napi_value Init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"gemm", NULL, Gemm, NULL, NULL, NULL, napi_default, NULL},
      {"info", NULL, Info, NULL, NULL, NULL, napi_default, NULL},
      {"blasPolicy", NULL, BlasPolicy, NULL, NULL, NULL, napi_default, NULL},
      {"gelu", NULL, Gelu, NULL, NULL, NULL, napi_default, NULL},
      {"geluGrad", NULL, GeluGrad, NULL, NULL, NULL, napi_default, NULL},
      {"layerNorm", NULL, LayerNorm, NULL, NULL, NULL, napi_default, NULL},
      {"layerNormGrad", NULL, LayerNormGrad, NULL, NULL, NULL, napi_default, NULL},
  };
  if (napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props) != napi_ok) return NULL;
#define NER_CALL_REGISTER(name) \
  if (ner_register_##name(env, exports) == NULL) return NULL;
  NER_MODULES(NER_CALL_REGISTER)
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
