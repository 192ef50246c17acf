/* rtos_hosted.c - the rtos_blinky program on Linux, with arsenal_rtos.h's
   hosted port: the same tasks, queue and timer, run one at a time in one
   thread. Time is simulated: when every task waits, the idle task jumps
   straight to the next timer expiry, so this prints its ten lines at once
   (the same lines, with the same tick numbers, as the firmware). Keys 'f'
   and 's' on stdin change the rate, if they are there from the start
   (`./rtos_hosted < keys`): see rtos_blinky/blinky.c.

   Build and run:
       cc -std=c99 -D_DEFAULT_SOURCE -Wall examples/rtos_hosted.c -o rtos_hosted && ./rtos_hosted */
#define ARSENAL_RTOS_HAL_HOSTED
#include "rtos_blinky/blinky.c"
