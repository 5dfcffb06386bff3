/* The base-field element macros of air_fib_constraints_impl.h (main and fixed columns on LDE rows
 * are base-field values), shared by its base instantiations: air_fib.c's and the device's
 * (kernels/fib_constraints.cuh). Include right before the constraints header, which #undefs them;
 * the includer defines F_FN and F_AUX itself. No include guard, by design. */
#define F uint64_t
#define F_ADD gl_add
#define F_SUB gl_sub
#define F_MUL gl_mul
#define F_C(u) ((uint64_t)(u))
#define F_MULC gl_mul
#define F_SCALE fp3_mul_base
#define F_EXT fp3_from_base
