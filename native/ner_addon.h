/*
 * Shared by every native/*.c file of the addon (native/build.js compiles them all into one
 * ner_blas.node): argument parsing and heap bounds checks, a small parallel-for on pthreads, the
 * counter-based random bits of dropout, and the list of modules whose functions Init registers.
 */
#ifndef NER_ADDON_H
#define NER_ADDON_H

#include <node_api.h>
#include <stdint.h>
#include <stdio.h>

/*
 * One line per extra source file: X(name) makes Init call `napi_value ner_register_<name>(env, exports)`,
 * which defines that file's functions on the exports object (ner_blas.c registers its own directly).
 */
#define NER_MODULES(X) X(optim) X(fused)

#define NER_DECLARE_REGISTER(name) napi_value ner_register_##name(napi_env env, napi_value exports);
NER_MODULES(NER_DECLARE_REGISTER)

static inline int ner_get_i64(napi_env env, napi_value v, int64_t* out) {
  return napi_get_value_int64(env, v, out) == napi_ok;
}
static inline int ner_get_f64(napi_env env, napi_value v, double* out) {
  return napi_get_value_double(env, v, out) == napi_ok;
}

/* The heap: an ArrayBuffer (the contract) or, for safety, a Uint8Array view over it. */
static inline int ner_heap_pointer(napi_env env, napi_value v, uint8_t** data, size_t* len) {
  bool is_ab = false;
  if (napi_is_arraybuffer(env, v, &is_ab) == napi_ok && is_ab) {
    void* p = NULL;
    if (napi_get_arraybuffer_info(env, v, &p, len) != napi_ok) return 0;
    *data = (uint8_t*)p;
    return 1;
  }
  bool is_ta = false;
  if (napi_is_typedarray(env, v, &is_ta) == napi_ok && is_ta) {
    napi_typedarray_type type;
    size_t length = 0, offset = 0;
    void* p = NULL;
    napi_value ab;
    if (napi_get_typedarray_info(env, v, &type, &length, &p, &ab, &offset) != napi_ok) return 0;
    if (type != napi_uint8_array) return 0;
    *data = (uint8_t*)p;
    *len = length;
    return 1;
  }
  return 0;
}

/* True when [off, off + bytes) lies inside a buffer of `len` bytes and `off` is float-aligned. */
static inline int ner_in_bounds(int64_t off, int64_t bytes, size_t len) {
  return off >= 0 && bytes >= 0 && (off & 3) == 0 && (uint64_t)(off + bytes) <= (uint64_t)len;
}

/* Reads `count` integer arguments starting at argv[first]; throws and returns 0 on a non-number. */
static inline int ner_get_i64s(napi_env env, napi_value* argv, int first, int count, int64_t* out, const char* fn) {
  for (int i = 0; i < count; i++) {
    if (!ner_get_i64(env, argv[first + i], &out[i])) {
      char msg[128];
      snprintf(msg, sizeof msg, "ner_blas.%s: argument %d must be a number", fn, first + i + 1);
      napi_throw_type_error(env, NULL, msg);
      return 0;
    }
  }
  return 1;
}

/* Parses the heap argument and checks that every (byte offset, float count) pair lies in it. */
static inline int ner_heap_and_bounds(napi_env env, napi_value heap_arg, const int64_t* offs, const int64_t* counts,
                                      int pairs, uint8_t** heap, const char* fn) {
  size_t len = 0;
  if (!ner_heap_pointer(env, heap_arg, heap, &len)) {
    char msg[128];
    snprintf(msg, sizeof msg, "ner_blas.%s: argument 1 must be the wasm heap's ArrayBuffer", fn);
    napi_throw_type_error(env, NULL, msg);
    return 0;
  }
  for (int i = 0; i < pairs; i++) {
    if (counts[i] < 0 || !ner_in_bounds(offs[i], counts[i] * 4, len)) {
      char msg[128];
      snprintf(msg, sizeof msg, "ner_blas.%s: operand %d lies outside the heap (or is not 4-byte aligned)", fn, i + 1);
      napi_throw_range_error(env, NULL, msg);
      return 0;
    }
  }
  return 1;
}

/*
 * ner_parallel_for(n, grain, fn, ctx): fn(ctx, begin, end) over [0, n) split into one contiguous
 * chunk per thread (ner_threads() of them, the calling thread included), serially when n < 2·grain.
 * Chunks are multiples of 16 elements so vector loops and cache lines are not split.
 */
typedef void (*ner_range_fn)(void* ctx, int64_t begin, int64_t end);
void ner_parallel_for(int64_t n, int64_t grain, ner_range_fn fn, void* ctx);
/* Threads for element-wise work: OPENBLAS_NUM_THREADS / the BLAS's count, else the online CPUs (max 64). */
int ner_threads(void);

/*
 * Dropout's counter-based random bits (the JS twin is dropoutBits in src/util/random.ts): element i
 * of the stream with keys (k1, k2) is h(h(i ^ k1) + k2), h = Wellons' triple32 (a full-avalanche
 * 32-bit bijection). Any element can be computed alone, so threads and tiers draw the same bits.
 */
static inline uint32_t ner_hash32(uint32_t x) {
  x ^= x >> 17;
  x *= 0xed5ad4bbu;
  x ^= x >> 11;
  x *= 0xac4c1b51u;
  x ^= x >> 15;
  x *= 0x31848babu;
  x ^= x >> 14;
  return x;
}

static inline uint32_t ner_random_bits(uint32_t k1, uint32_t k2, uint32_t i) {
  return ner_hash32(ner_hash32(i ^ k1) + k2);
}

#endif
