/* rtos_icount_plugin.c - a QEMU TCG plugin that counts guest instructions
   executed between marker functions, exactly.

   Build:  gcc -shared -fPIC -O2 -o rtos_icount.so tests/rtos_icount_plugin.c
   Use:    qemu-system-arm ... -plugin ./rtos_icount.so,begin=0x1234,end=0x1240
   Every time the instruction at `begin` executes, a window opens; the
   instruction at `end` closes it. At exit the plugin prints one line per
   window: "icount window <n>: <instructions>", counting from the first
   instruction at `begin` up to (not including) the one at `end`.

   Debian's QEMU 7.2 is built with plugin support but ships no plugin
   header, so the few declarations of the documented plugin API (version 1)
   that this file uses are written out below. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the QEMU plugin API, version 1 (the subset used here) ---- */
typedef uint64_t qemu_plugin_id_t;
typedef struct qemu_info_t qemu_info_t;          /* not looked into */
struct qemu_plugin_tb;
struct qemu_plugin_insn;
enum qemu_plugin_cb_flags { QEMU_PLUGIN_CB_NO_REGS, QEMU_PLUGIN_CB_R_REGS, QEMU_PLUGIN_CB_RW_REGS };
typedef void (*qemu_plugin_vcpu_tb_trans_cb_t)(qemu_plugin_id_t id, struct qemu_plugin_tb *tb);
typedef void (*qemu_plugin_vcpu_udata_cb_t)(unsigned int vcpu_index, void *userdata);
typedef void (*qemu_plugin_udata_cb_t)(qemu_plugin_id_t id, void *userdata);
void qemu_plugin_register_vcpu_tb_trans_cb(qemu_plugin_id_t id, qemu_plugin_vcpu_tb_trans_cb_t cb);
size_t qemu_plugin_tb_n_insns(const struct qemu_plugin_tb *tb);
struct qemu_plugin_insn *qemu_plugin_tb_get_insn(const struct qemu_plugin_tb *tb, size_t idx);
uint64_t qemu_plugin_insn_vaddr(const struct qemu_plugin_insn *insn);
void qemu_plugin_register_vcpu_insn_exec_cb(struct qemu_plugin_insn *insn, qemu_plugin_vcpu_udata_cb_t cb,
                                            enum qemu_plugin_cb_flags flags, void *userdata);
void qemu_plugin_register_atexit_cb(qemu_plugin_id_t id, qemu_plugin_udata_cb_t cb, void *userdata);
void qemu_plugin_outs(const char *string);
#define QEMU_PLUGIN_EXPORT __attribute__((visibility("default")))
QEMU_PLUGIN_EXPORT int qemu_plugin_version = 1;

/* ---- the counter ---- */
#define MAX_WINDOWS 64
static uint64_t begin_pc, end_pc;
static int counting, nwin;
static uint64_t win[MAX_WINDOWS];

static void on_insn(unsigned int vcpu, void *ud) {
    uint64_t pc = (uint64_t)(uintptr_t)ud;
    (void)vcpu;
    if (pc == end_pc && counting) { counting = 0; nwin++; }
    if (pc == begin_pc && nwin < MAX_WINDOWS) { counting = 1; win[nwin] = 0; }
    if (counting) win[nwin]++;
}

static void on_tb(qemu_plugin_id_t id, struct qemu_plugin_tb *tb) {
    size_t i, n = qemu_plugin_tb_n_insns(tb);
    (void)id;
    for (i = 0; i < n; i++) {
        struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);
        uint64_t pc = qemu_plugin_insn_vaddr(insn);
        qemu_plugin_register_vcpu_insn_exec_cb(insn, on_insn, QEMU_PLUGIN_CB_NO_REGS,
                                               (void *)(uintptr_t)pc);
    }
}

static void on_exit_(qemu_plugin_id_t id, void *ud) {
    char line[96];
    int i;
    (void)id; (void)ud;
    for (i = 0; i < nwin; i++) {
        snprintf(line, sizeof line, "icount window %d: %llu\n", i, (unsigned long long)win[i]);
        qemu_plugin_outs(line);
    }
}

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info, int argc, char **argv);
QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info, int argc, char **argv) {
    int i;
    (void)info;
    for (i = 0; i < argc; i++) {
        if (!strncmp(argv[i], "begin=", 6)) begin_pc = strtoull(argv[i] + 6, 0, 0);
        else if (!strncmp(argv[i], "end=", 4)) end_pc = strtoull(argv[i] + 4, 0, 0);
    }
    if (!begin_pc || !end_pc) { qemu_plugin_outs("rtos_icount: need begin= and end=\n"); return -1; }
    qemu_plugin_register_vcpu_tb_trans_cb(id, on_tb);
    qemu_plugin_register_atexit_cb(id, on_exit_, 0);
    return 0;
}
