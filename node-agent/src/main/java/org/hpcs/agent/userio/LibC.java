package org.hpcs.agent.userio;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.ptr.IntByReference;

/** The C library functions that the user's file-system rights need, bound with JNA. */
interface LibC extends Library {
  LibC INSTANCE = Native.load("c", LibC.class);

  /** {@code long syscall(long number, ...)}: a raw system call, bypassing glibc's wrappers. */
  long syscall(long number, Object... args);

  /** {@code int open(const char *path, int flags)}; errno becomes the exception's code. */
  int open(String path, int flags) throws LastErrorException;

  /** {@code int close(int fd)}. */
  int close(int fd) throws LastErrorException;

  /** {@code char *strerror(int errnum)}. */
  String strerror(int errno);

  /** {@code int getgrouplist(const char *user, gid_t group, gid_t *groups, int *ngroups)}. */
  int getgrouplist(String user, int group, int[] groups, IntByReference ngroups);
}
