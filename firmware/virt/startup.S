/* virt/startup.S - reset and default trap vector for QEMU's RISC-V virt
   machine (-bios none: the boot ROM jumps to 0x80000000 in M-mode).
   Works for rv32 and rv64, with or without the F/D extensions. */

#if __riscv_xlen == 64
#define BOARD_STORE sd
#define BOARD_LOAD  ld
#define BOARD_WORD  8
#else
#define BOARD_STORE sw
#define BOARD_LOAD  lw
#define BOARD_WORD  4
#endif

    .section .text.start, "ax", @progbits
    .globl _start
    .type _start, @function
_start:
    .option push
    .option norelax
    la      gp, __global_pointer$
    .option pop
    csrr    t0, mhartid
    bnez    t0, board__park             /* one hart runs the program */
    la      sp, __stack_top
    la      t0, board_trap_vector
    csrw    mtvec, t0                   /* direct mode */
    csrw    mie, zero
#ifdef __riscv_flen
    li      t0, 0x2000                  /* mstatus.FS = Initial: FPU on */
    csrs    mstatus, t0
    csrwi   fcsr, 0
#endif
    /* .data: copy its image if it is not already in place */
    la      t0, __data_load
    la      t1, __data_start
    la      t2, __data_end
    beq     t0, t1, 2f
1:  bgeu    t1, t2, 2f
    BOARD_LOAD  a5, 0(t0)                /* a5, not t3: RV32E has x0-x15 only */
    BOARD_STORE a5, 0(t1)
    addi    t0, t0, BOARD_WORD
    addi    t1, t1, BOARD_WORD
    j       1b
2:  la      t1, __bss_start
    la      t2, __bss_end
3:  bgeu    t1, t2, 4f
    BOARD_STORE zero, 0(t1)
    addi    t1, t1, BOARD_WORD
    j       3b
4:  call    board__start                /* main(), then board_exit(): never returns */
board__park:
    wfi
    j       board__park
    .size _start, . - _start

/* Default machine trap vector: nothing enables interrupts, so any trap is
   a fault. Report it on a private stack (sp may be what went wrong) and
   exit. Weak: an RTOS port defines its own board_trap_vector. */
    .section .text.board_trap_vector, "ax", @progbits
    .weak   board_trap_vector
    .type   board_trap_vector, @function
    .balign 4
board_trap_vector:
    mv      a3, sp
    la      sp, board__trap_stack_top
    mv      a4, ra
    csrr    a0, mcause
    csrr    a1, mepc
    csrr    a2, mtval
    j       board_trap_fault
    .size board_trap_vector, . - board_trap_vector

    .section .bss.board_trap_stack, "aw", @nobits
    .balign 16
    .space  1024
board__trap_stack_top:
