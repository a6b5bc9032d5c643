#pragma once

#include <gmime/gmime.h>

#include <memory>

// RAII for GMime/GLib objects, private to the e-mail driver. g_mime_init runs once.
namespace ombud::channels::email::internal {

void EnsureGMimeInitialised();

struct GObjectUnref {
  void operator()(void* p) const {
    if (p != nullptr) g_object_unref(p);
  }
};
template <typename T>
using GPtr = std::unique_ptr<T, GObjectUnref>;

struct GFree {
  void operator()(void* p) const { g_free(p); }
};
using GString = std::unique_ptr<char, GFree>;

}  // namespace ombud::channels::email::internal
