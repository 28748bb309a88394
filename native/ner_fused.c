/*
 * Whole-block kernels of the encoder on the wasm heap (registered by ner_register_fused):
 *
 * - attention / attentionGrad: softmax(scale·Q·Kᵀ + key bias) ∘ dropout · V for every (batch, head),
 *   forward and backward, reading Q, K, V and writing the context straight in the projections'
 *   [batch·seq, heads·headDim] layout (BLAS leading dimensions pick a head's columns), so no
 *   transposes, no score/mask tensors and one tape node instead of ~14 tfjs kernels. The dropout mask
 *   is drawn in place from the counter-based stream (ner_random_bits, element index = flat
 *   [batch, heads, seq, seq] position, as src/backend/random-kernels.ts draws it) and redrawn in the
 *   backward pass instead of being stored.
 * - biasGelu / biasGeluGrad: the bias of the linear layer before GELU, and exact GELU (libm erff),
 *   forward and backward in one pass each, threaded with ner_parallel_for (the backward pass
 *   recomputes x + bias instead of storing it).
 *
 * - addLayerNorm / layerNormGradThreaded: residual + LayerNorm in one pass per row, and its
 *   gradient (dx over rows, dgamma/dbeta over columns), threaded.
 *
 * The products go to cblas_sgemm from the calling thread (OpenBLAS threads them itself); the
 * row passes run on ner_parallel_for's threads while BLAS is idle, so the two pools never overlap.
 */
#include "ner_addon.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#ifdef NER_USE_ACCELERATE
#include <Accelerate/Accelerate.h>
#else
#include <cblas.h>
#endif

/*
 * Floats of work each thread must get before a pass is split: starting a thread costs tens of
 * microseconds on a quiet machine and milliseconds on a loaded one, where small passes (the main
 * job's 512×128 LayerNorm) measured 5-10× slower threaded than alone.
 */
#define MIN_THREAD_FLOATS (1 << 18)

static int64_t rows_grain(int64_t cols) { return cols > 0 && cols < MIN_THREAD_FLOATS ? MIN_THREAD_FLOATS / cols : 1; }

#define FUSED_CHECK(env, call)                                              \
  do {                                                                      \
    if ((call) != napi_ok) {                                                \
      napi_throw_error((env), NULL, "ner_fused: N-API call failed: " #call); \
      return NULL;                                                          \
    }                                                                       \
  } while (0)

/* ---------------------------------------------------------------- attention */

typedef struct {
  int64_t batch, seq, heads, head_dim;
  float scale;
  const float *q, *k, *v, *bias;
  float *probs, *dropped; /* dropped = probs ∘ mask (NULL: no dropout) */
  float *dp;              /* backward: dL/d(probs ∘ mask), then dL/dscores */
  uint32_t k1, k2, threshold;
  float keep;
} attention_ctx;

/* Mask element `idx` of the dropout stream: 0 or keep. */
static inline float mask_at(const attention_ctx* c, int64_t idx) {
  return ner_random_bits(c->k1, c->k2, (uint32_t)idx) >= c->threshold ? c->keep : 0.f;
}

/* Rows [begin, end) of the [batch·heads·seq, seq] scores: + key bias, softmax, dropout. */
static void softmax_rows(void* arg, int64_t begin, int64_t end) {
  const attention_ctx* c = (const attention_ctx*)arg;
  const int64_t S = c->seq, H = c->heads;
  for (int64_t r = begin; r < end; r++) {
    const int64_t b = r / (H * S);
    float* p = c->probs + r * S;
    const float* bias = c->bias + b * S;
    float mx = -INFINITY;
    for (int64_t j = 0; j < S; j++) {
      p[j] += bias[j];
      if (p[j] > mx) mx = p[j];
    }
    float sum = 0.f;
    for (int64_t j = 0; j < S; j++) {
      p[j] = expf(p[j] - mx);
      sum += p[j];
    }
    for (int64_t j = 0; j < S; j++) p[j] /= sum;
    if (c->dropped) {
      float* d = c->dropped + r * S;
      for (int64_t j = 0; j < S; j++) d[j] = p[j] * mask_at(c, r * S + j);
    }
  }
}

/* Rows of the backward pass: dP = dP' ∘ mask; dS = P ∘ (dP − Σ_j dP·P), in place in c->dp. */
static void softmax_grad_rows(void* arg, int64_t begin, int64_t end) {
  const attention_ctx* c = (const attention_ctx*)arg;
  const int64_t S = c->seq;
  for (int64_t r = begin; r < end; r++) {
    float* g = c->dp + r * S;
    const float* p = c->probs + r * S;
    if (c->dropped) {
      for (int64_t j = 0; j < S; j++) g[j] *= mask_at(c, r * S + j);
    }
    float dot = 0.f;
    for (int64_t j = 0; j < S; j++) dot += g[j] * p[j];
    for (int64_t j = 0; j < S; j++) g[j] = (g[j] - dot) * p[j];
  }
}

/* Recreate probs ∘ mask for the backward pass. */
static void dropped_rows(void* arg, int64_t begin, int64_t end) {
  const attention_ctx* c = (const attention_ctx*)arg;
  const int64_t S = c->seq;
  for (int64_t i = begin * S; i < end * S; i++) c->dropped[i] = c->probs[i] * mask_at(c, i);
}

/* Parses the 4 dropout arguments (k1, k2, threshold, keep); keep <= 0 means no dropout. */
static int dropout_args(napi_env env, napi_value* argv, attention_ctx* c, const char* fn) {
  int64_t keys[3];
  double keep = 0;
  if (!ner_get_i64s(env, argv, 0, 3, keys, fn)) return 0;
  if (!ner_get_f64(env, argv[3], &keep)) {
    napi_throw_type_error(env, NULL, "ner_blas.attention: keep must be a number");
    return 0;
  }
  c->k1 = (uint32_t)keys[0];
  c->k2 = (uint32_t)keys[1];
  c->threshold = (uint32_t)keys[2];
  c->keep = (float)keep;
  return 1;
}

static float* scratch(napi_env env, int64_t floats) {
  float* p = (float*)malloc((size_t)(floats > 0 ? floats : 1) * sizeof(float));
  if (p == NULL) napi_throw_error(env, NULL, "ner_blas.attention: out of memory");
  return p;
}

/* One head's row-major product C = alpha · op(A) · op(B) (beta 0), leading dimensions as stored. */
static void gemm(int ta, int tb, int64_t m, int64_t n, int64_t k, float alpha, const float* a, int64_t lda,
                 const float* b, int64_t ldb, float* c, int64_t ldc) {
  const enum CBLAS_TRANSPOSE opA = ta ? CblasTrans : CblasNoTrans, opB = tb ? CblasTrans : CblasNoTrans;
  cblas_sgemm(CblasRowMajor, opA, opB, (int)m, (int)n, (int)k, alpha, a, (int)lda, b, (int)ldb, 0.0f, c, (int)ldc);
}

/*
 * attention(heap, qOff, kOff, vOff, biasOff, ctxOff, probsOff, batch, seq, heads, headDim, scale,
 *           k1, k2, threshold, keep): q, k, v, ctx [batch·seq, heads·headDim]; bias [batch, seq]
 * (added to every query's scores); probs [batch, heads, seq, seq] (softmax before dropout, kept
 * for the backward pass). keep <= 0: no dropout.
 */
static napi_value Attention(napi_env env, napi_callback_info info) {
  size_t argc = 16;
  napi_value argv[16];
  FUSED_CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  int64_t v[10];
  double scale = 0;
  attention_ctx c;
  if (argc != 16 || !ner_get_i64s(env, argv, 1, 10, v, "attention") || !ner_get_f64(env, argv[11], &scale) ||
      !dropout_args(env, argv + 12, &c, "attention")) {
    if (argc != 16) napi_throw_type_error(env, NULL, "ner_blas.attention: expected 16 arguments");
    return NULL;
  }
  const int64_t B = v[6], S = v[7], H = v[8], D = v[9], HD = H * D;
  if (B < 0 || S < 0 || H <= 0 || D <= 0 || S > INT32_MAX || HD > INT32_MAX) {
    napi_throw_range_error(env, NULL, "ner_blas.attention: bad sizes");
    return NULL;
  }
  const int64_t offs[6] = {v[0], v[1], v[2], v[3], v[4], v[5]};
  const int64_t counts[6] = {B * S * HD, B * S * HD, B * S * HD, B * S, B * S * HD, B * H * S * S};
  uint8_t* heap;
  if (!ner_heap_and_bounds(env, argv[0], offs, counts, 6, &heap, "attention")) return NULL;
  c.batch = B, c.seq = S, c.heads = H, c.head_dim = D, c.scale = (float)scale;
  c.q = (const float*)(heap + v[0]), c.k = (const float*)(heap + v[1]), c.v = (const float*)(heap + v[2]);
  c.bias = (const float*)(heap + v[3]);
  float* ctx = (float*)(heap + v[4]);
  c.probs = (float*)(heap + v[5]);
  c.dropped = NULL;
  c.dp = NULL;
  if (B * S == 0) return NULL;
  if (c.keep > 0) {
    c.dropped = scratch(env, B * H * S * S);
    if (c.dropped == NULL) return NULL;
  }
  /* Scores of each (batch, head): scale · Q_bh · K_bhᵀ into probs. */
  for (int64_t b = 0; b < B; b++) {
    for (int64_t h = 0; h < H; h++) {
      const int64_t in = b * S * HD + h * D;
      gemm(0, 1, S, S, D, c.scale, c.q + in, HD, c.k + in, HD, c.probs + (b * H + h) * S * S, S);
    }
  }
  ner_parallel_for(B * H * S, rows_grain(S), softmax_rows, &c);
  const float* p = c.dropped ? c.dropped : c.probs;
  for (int64_t b = 0; b < B; b++) {
    for (int64_t h = 0; h < H; h++) {
      const int64_t in = b * S * HD + h * D;
      gemm(0, 0, S, D, S, 1.0f, p + (b * H + h) * S * S, S, c.v + in, HD, ctx + in, HD);
    }
  }
  free(c.dropped);
  return NULL;
}

/*
 * attentionGrad(heap, dyOff, qOff, kOff, vOff, probsOff, dqOff, dkOff, dvOff, batch, seq, heads,
 *               headDim, scale, k1, k2, threshold, keep): dq, dk, dv of attention from the context's
 * gradient dy, the inputs and the saved probabilities (the same dropout arguments as forward).
 */
static napi_value AttentionGrad(napi_env env, napi_callback_info info) {
  size_t argc = 18;
  napi_value argv[18];
  FUSED_CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  int64_t v[12];
  double scale = 0;
  attention_ctx c;
  if (argc != 18 || !ner_get_i64s(env, argv, 1, 12, v, "attentionGrad") || !ner_get_f64(env, argv[13], &scale) ||
      !dropout_args(env, argv + 14, &c, "attentionGrad")) {
    if (argc != 18) napi_throw_type_error(env, NULL, "ner_blas.attentionGrad: expected 18 arguments");
    return NULL;
  }
  const int64_t B = v[8], S = v[9], H = v[10], D = v[11], HD = H * D, n = B * S * HD;
  if (B < 0 || S < 0 || H <= 0 || D <= 0 || S > INT32_MAX || HD > INT32_MAX) {
    napi_throw_range_error(env, NULL, "ner_blas.attentionGrad: bad sizes");
    return NULL;
  }
  const int64_t offs[8] = {v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7]};
  const int64_t counts[8] = {n, n, n, n, B * H * S * S, n, n, n};
  uint8_t* heap;
  if (!ner_heap_and_bounds(env, argv[0], offs, counts, 8, &heap, "attentionGrad")) return NULL;
  const float* dy = (const float*)(heap + v[0]);
  c.batch = B, c.seq = S, c.heads = H, c.head_dim = D, c.scale = (float)scale;
  c.q = (const float*)(heap + v[1]), c.k = (const float*)(heap + v[2]), c.v = (const float*)(heap + v[3]);
  c.probs = (float*)(heap + v[4]);
  float *dq = (float*)(heap + v[5]), *dk = (float*)(heap + v[6]), *dv = (float*)(heap + v[7]);
  c.dropped = NULL;
  if (B * S == 0) return NULL;
  c.dp = scratch(env, B * H * S * S);
  if (c.dp == NULL) return NULL;
  if (c.keep > 0) {
    c.dropped = scratch(env, B * H * S * S);
    if (c.dropped == NULL) {
      free(c.dp);
      return NULL;
    }
    ner_parallel_for(B * H * S, rows_grain(S), dropped_rows, &c);
  }
  const float* p = c.dropped ? c.dropped : c.probs;
  for (int64_t b = 0; b < B; b++) {
    for (int64_t h = 0; h < H; h++) {
      const int64_t in = b * S * HD + h * D, bh = (b * H + h) * S * S;
      /* dP' = dY · Vᵀ;  dV = P'ᵀ · dY */
      gemm(0, 1, S, S, D, 1.0f, dy + in, HD, c.v + in, HD, c.dp + bh, S);
      gemm(1, 0, S, D, S, 1.0f, p + bh, S, dy + in, HD, dv + in, HD);
    }
  }
  ner_parallel_for(B * H * S, rows_grain(S), softmax_grad_rows, &c);
  for (int64_t b = 0; b < B; b++) {
    for (int64_t h = 0; h < H; h++) {
      const int64_t in = b * S * HD + h * D, bh = (b * H + h) * S * S;
      /* dQ = scale · dS · K;  dK = scale · dSᵀ · Q */
      gemm(0, 0, S, D, S, c.scale, c.dp + bh, S, c.k + in, HD, dq + in, HD);
      gemm(1, 0, S, D, S, c.scale, c.dp + bh, S, c.q + in, HD, dk + in, HD);
    }
  }
  free(c.dp);
  free(c.dropped);
  return NULL;
}

/* ---------------------------------------------------------------- bias + GELU */

static const float kSqrtHalf = 0.70710678118654752f;
static const float kInvSqrt2Pi = 0.3989422804014327f;

typedef struct {
  const float *x, *bias, *dy;
  float* out;
  int64_t cols;
} gelu_ctx;

/* y = u·Φ(u), u = x + bias[col]; Φ from libm's erff (the exact form; tfjs's erf is a 1.5e-7 approximation). */
static void bias_gelu_range(void* arg, int64_t begin, int64_t end) {
  const gelu_ctx* c = (const gelu_ctx*)arg;
  for (int64_t i = begin; i < end; i++) {
    const float u = c->bias ? c->x[i] + c->bias[i % c->cols] : c->x[i];
    c->out[i] = u * 0.5f * (1.0f + erff(u * kSqrtHalf));
  }
}

/* dx = dy·(Φ(u) + u·φ(u)), u = x + bias[col]. */
static void bias_gelu_grad_range(void* arg, int64_t begin, int64_t end) {
  const gelu_ctx* c = (const gelu_ctx*)arg;
  for (int64_t i = begin; i < end; i++) {
    const float u = c->bias ? c->x[i] + c->bias[i % c->cols] : c->x[i];
    const float cdf = 0.5f * (1.0f + erff(u * kSqrtHalf));
    const float pdf = expf(-0.5f * u * u) * kInvSqrt2Pi;
    c->out[i] = c->dy[i] * (cdf + u * pdf);
  }
}

/* Parses (heap, xOff, biasOff, [dyOff,] outOff, rows, cols) for the two GELU kernels. */
static napi_value bias_gelu_call(napi_env env, napi_callback_info info, int grad) {
  const char* fn = grad ? "biasGeluGrad" : "biasGelu";
  const size_t want = grad ? 7 : 6;
  size_t argc = 7;
  napi_value argv[7];
  FUSED_CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  int64_t v[6];
  if (argc != want) {
    const char* msg = grad ? "ner_blas.biasGeluGrad: expected 7 arguments" : "ner_blas.biasGelu: expected 6 arguments";
    napi_throw_type_error(env, NULL, msg);
    return NULL;
  }
  if (!ner_get_i64s(env, argv, 1, (int)want - 1, v, fn)) return NULL;
  const int64_t rows = v[want - 3], cols = v[want - 2], n = rows * cols;
  if (rows < 0 || cols < 0) {
    napi_throw_range_error(env, NULL, "ner_blas.biasGelu: negative size");
    return NULL;
  }
  const int has_bias = v[1] >= 0;
  /* Operands: x, [bias], [dy], out. */
  int64_t offs[4], counts[4];
  int pairs = 0;
  offs[pairs] = v[0], counts[pairs++] = n;
  if (has_bias) offs[pairs] = v[1], counts[pairs++] = cols;
  if (grad) offs[pairs] = v[2], counts[pairs++] = n;
  offs[pairs] = v[grad ? 3 : 2], counts[pairs++] = n;
  uint8_t* heap;
  if (!ner_heap_and_bounds(env, argv[0], offs, counts, pairs, &heap, fn)) return NULL;
  gelu_ctx c = {(const float*)(heap + v[0]), has_bias ? (const float*)(heap + v[1]) : NULL,
                grad ? (const float*)(heap + v[2]) : NULL, (float*)(heap + v[grad ? 3 : 2]), cols > 0 ? cols : 1};
  ner_parallel_for(n, MIN_THREAD_FLOATS, grad ? bias_gelu_grad_range : bias_gelu_range, &c);
  return NULL;
}

/* biasGelu(heap, xOff, biasOff, yOff, rows, cols): y = gelu(x + bias) (biasOff < 0: no bias), threaded. */
static napi_value BiasGelu(napi_env env, napi_callback_info info) { return bias_gelu_call(env, info, 0); }

/* biasGeluGrad(heap, xOff, biasOff, dyOff, dxOff, rows, cols): dx = dy · gelu'(x + bias), threaded. */
static napi_value BiasGeluGrad(napi_env env, napi_callback_info info) { return bias_gelu_call(env, info, 1); }

/* ---------------------------------------------------------------- residual + LayerNorm */

typedef struct {
  const float *x, *res, *gamma, *beta, *dy, *xhat, *inv_std;
  float *y, *xhat_out, *inv_out, *dx, *dgamma, *dbeta;
  int64_t rows, cols;
  double eps;
} ln_ctx;

/* Rows of y = LayerNorm(x + res) (torch's: biased variance, eps inside the root; moments in double). */
static void add_layer_norm_rows(void* arg, int64_t begin, int64_t end) {
  const ln_ctx* c = (const ln_ctx*)arg;
  const int64_t cols = c->cols;
  for (int64_t r = begin; r < end; r++) {
    const float* x = c->x + r * cols;
    float* xhat = c->xhat_out + r * cols;
    float* y = c->y + r * cols;
    /* The residual sum goes through xhat's row first: the float32 tensor tfjs's tf.add would give. */
    if (c->res) {
      const float* res = c->res + r * cols;
      for (int64_t j = 0; j < cols; j++) xhat[j] = x[j] + res[j];
      x = xhat;
    }
    double sum = 0, sq = 0;
    for (int64_t j = 0; j < cols; j++) sum += x[j];
    const double mean = cols > 0 ? sum / (double)cols : 0;
    for (int64_t j = 0; j < cols; j++) sq += (x[j] - mean) * (x[j] - mean);
    const float inv = (float)(1.0 / sqrt((cols > 0 ? sq / (double)cols : 0) + c->eps));
    c->inv_out[r] = inv;
    for (int64_t j = 0; j < cols; j++) {
      const float h = (float)(x[j] - mean) * inv;
      xhat[j] = h;
      y[j] = h * c->gamma[j] + c->beta[j];
    }
  }
}

/* Rows of dx = invStd·(dxhat − mean(dxhat) − xhat·mean(dxhat·xhat)), dxhat = dy·gamma. */
static void layer_norm_dx_rows(void* arg, int64_t begin, int64_t end) {
  const ln_ctx* c = (const ln_ctx*)arg;
  const int64_t cols = c->cols;
  for (int64_t r = begin; r < end; r++) {
    const float* dy = c->dy + r * cols;
    const float* xh = c->xhat + r * cols;
    const float inv = c->inv_std[r];
    float* dx = c->dx + r * cols;
    double m1 = 0, m2 = 0;
    for (int64_t j = 0; j < cols; j++) {
      const float d = dy[j] * c->gamma[j];
      m1 += d;
      m2 += (double)d * xh[j];
    }
    const float mean1 = (float)(m1 / (double)cols), mean2 = (float)(m2 / (double)cols);
    for (int64_t j = 0; j < cols; j++) dx[j] = inv * (dy[j] * c->gamma[j] - mean1 - xh[j] * mean2);
  }
}

/* Columns [begin, end) of dgamma = Σ_rows dy·xhat and dbeta = Σ_rows dy (in double). */
static void layer_norm_dparams_cols(void* arg, int64_t begin, int64_t end) {
  const ln_ctx* c = (const ln_ctx*)arg;
  const int64_t cols = c->cols, w = end - begin;
  double* acc = (double*)calloc((size_t)(2 * w > 0 ? 2 * w : 1), sizeof(double));
  if (acc == NULL) { /* cannot happen for a few KB; keep the result defined anyway */
    for (int64_t j = begin; j < end; j++) c->dgamma[j] = c->dbeta[j] = NAN;
    return;
  }
  for (int64_t r = 0; r < c->rows; r++) {
    const float* dy = c->dy + r * cols + begin;
    const float* xh = c->xhat + r * cols + begin;
    for (int64_t j = 0; j < w; j++) {
      acc[j] += (double)dy[j] * xh[j];
      acc[w + j] += dy[j];
    }
  }
  for (int64_t j = 0; j < w; j++) {
    c->dgamma[begin + j] = (float)acc[j];
    c->dbeta[begin + j] = (float)acc[w + j];
  }
  free(acc);
}

/*
 * addLayerNorm(heap, xOff, resOff, gammaOff, betaOff, yOff, xhatOff, invStdOff, rows, cols, eps):
 * y = LayerNorm(x + res) per row (resOff < 0: of x), also writing xhat and 1/std for the backward
 * pass; threaded over rows.
 */
static napi_value AddLayerNorm(napi_env env, napi_callback_info info) {
  size_t argc = 12;
  napi_value argv[12];
  FUSED_CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  int64_t v[9];
  double eps = 0;
  if (argc != 11) {
    napi_throw_type_error(env, NULL, "ner_blas.addLayerNorm: expected 11 arguments");
    return NULL;
  }
  if (!ner_get_i64s(env, argv, 1, 9, v, "addLayerNorm")) return NULL;
  if (!ner_get_f64(env, argv[10], &eps)) {
    napi_throw_type_error(env, NULL, "ner_blas.addLayerNorm: eps must be a number");
    return NULL;
  }
  const int64_t rows = v[7], cols = v[8];
  if (rows < 0 || cols < 0) {
    napi_throw_range_error(env, NULL, "ner_blas.addLayerNorm: negative size");
    return NULL;
  }
  const int has_res = v[1] >= 0;
  const int64_t offs[7] = {v[0], v[2], v[3], v[4], v[5], v[6], has_res ? v[1] : v[0]};
  const int64_t counts[7] = {rows * cols, cols, cols, rows * cols, rows * cols, rows, rows * cols};
  uint8_t* heap;
  if (!ner_heap_and_bounds(env, argv[0], offs, counts, 7, &heap, "addLayerNorm")) return NULL;
  ln_ctx c;
  memset(&c, 0, sizeof c);
  c.x = (const float*)(heap + v[0]);
  c.res = has_res ? (const float*)(heap + v[1]) : NULL;
  c.gamma = (const float*)(heap + v[2]);
  c.beta = (const float*)(heap + v[3]);
  c.y = (float*)(heap + v[4]);
  c.xhat_out = (float*)(heap + v[5]);
  c.inv_out = (float*)(heap + v[6]);
  c.rows = rows, c.cols = cols, c.eps = eps;
  ner_parallel_for(rows, rows_grain(cols), add_layer_norm_rows, &c);
  return NULL;
}

/*
 * layerNormGradThreaded(heap, dyOff, xhatOff, invStdOff, gammaOff, dxOff, dgammaOff, dbetaOff, rows, cols):
 * LayerNorm's gradient as ner_blas.c's layerNormGrad computes it, dx threaded over rows and
 * dgamma/dbeta over columns.
 */
static napi_value LayerNormGradThreaded(napi_env env, napi_callback_info info) {
  size_t argc = 10;
  napi_value argv[10];
  FUSED_CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  int64_t v[9];
  if (argc != 10) {
    napi_throw_type_error(env, NULL, "ner_blas.layerNormGradThreaded: expected 10 arguments");
    return NULL;
  }
  if (!ner_get_i64s(env, argv, 1, 9, v, "layerNormGradThreaded")) return NULL;
  const int64_t rows = v[7], cols = v[8];
  if (rows < 0 || cols < 0) {
    napi_throw_range_error(env, NULL, "ner_blas.layerNormGradThreaded: negative size");
    return NULL;
  }
  const int64_t offs[7] = {v[0], v[1], v[2], v[3], v[4], v[5], v[6]};
  const int64_t counts[7] = {rows * cols, rows * cols, rows, cols, rows * cols, cols, cols};
  uint8_t* heap;
  if (!ner_heap_and_bounds(env, argv[0], offs, counts, 7, &heap, "layerNormGradThreaded")) return NULL;
  ln_ctx c;
  memset(&c, 0, sizeof c);
  c.dy = (const float*)(heap + v[0]);
  c.xhat = (const float*)(heap + v[1]);
  c.inv_std = (const float*)(heap + v[2]);
  c.gamma = (const float*)(heap + v[3]);
  c.dx = (float*)(heap + v[4]);
  c.dgamma = (float*)(heap + v[5]);
  c.dbeta = (float*)(heap + v[6]);
  c.rows = rows, c.cols = cols;
  ner_parallel_for(rows, rows_grain(cols), layer_norm_dx_rows, &c);
  ner_parallel_for(cols, rows_grain(rows), layer_norm_dparams_cols, &c);
  return NULL;
}

/* ---------------------------------------------------------------- registration */

napi_value ner_register_fused(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"attention", NULL, Attention, NULL, NULL, NULL, napi_default, NULL},
      {"attentionGrad", NULL, AttentionGrad, NULL, NULL, NULL, napi_default, NULL},
      {"biasGelu", NULL, BiasGelu, NULL, NULL, NULL, napi_default, NULL},
      {"biasGeluGrad", NULL, BiasGeluGrad, NULL, NULL, NULL, napi_default, NULL},
      {"addLayerNorm", NULL, AddLayerNorm, NULL, NULL, NULL, napi_default, NULL},
      {"layerNormGradThreaded", NULL, LayerNormGradThreaded, NULL, NULL, NULL, napi_default, NULL},
  };
  if (napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props) != napi_ok) return NULL;
  return exports;
}
