//! Links egress-core into a `#![no_std]` staticlib and exercises its main paths, so that a
//! std dependency sneaking into egress-core makes this crate fail to build.
#![no_std]

use egress_core::{ProxyConfig, ProxyEnv, Scheme, Target};

/// Routes `https://<host>/` under a fixed environment: 0 direct, 1 forward, 2 tunnel,
/// 255 invalid input.
#[unsafe(no_mangle)]
pub extern "C" fn egress_no_std_route(host: *const u8, len: usize) -> u8 {
    if host.is_null() {
        return 255;
    }
    // SAFETY: the caller passes a valid, initialised byte range of `len` bytes.
    let bytes = unsafe { core::slice::from_raw_parts(host, len) };
    let Ok(host) = core::str::from_utf8(bytes) else {
        return 255;
    };
    let env = ProxyEnv::from_pairs([
        ("https_proxy", "http://user:pw@proxy.example:3128"),
        ("no_proxy", "10.0.0.0/8,.internal"),
    ]);
    let Ok(config) = ProxyConfig::from_env(&env) else {
        return 255;
    };
    let Ok(target) = Target::from_url_parts(Scheme::Https, host, None) else {
        return 255;
    };
    match config.route(&target).route {
        egress_core::Route::Direct => 0,
        egress_core::Route::Forward(_) => 1,
        egress_core::Route::Tunnel(_) => 2,
    }
}

/// Starts the connection machine for `https://matrix.org/` through a proxy at an address:
/// 1 when it first asks to connect to that proxy, 0 otherwise. Exercises the `alloc` layer
/// (router, connection machine, failure type) without std.
#[unsafe(no_mangle)]
pub extern "C" fn egress_no_std_establish() -> u8 {
    use egress_core::establish::{Action, Establish, Options};
    use egress_core::router::{Router, Setting};

    let https = Setting::new("https_proxy", "http://192.0.2.1:3128");
    let Ok(router) = Router::new(None, Some(https), None, false) else {
        return 0;
    };
    let Ok(target) = Target::from_authority("https", "matrix.org") else {
        return 0;
    };
    let decision = router.route(&target);
    let machine = Establish::new(&decision, target, Options::default(), Default::default());
    u8::from(matches!(machine.poll_action(), Action::Connect { .. }))
}

/// ipnet (our CIDR type) links the `alloc` crate unconditionally, so the link needs *some*
/// global allocator even though egress-core's decisions never allocate (the counting-allocator
/// test in core/tests proves that). This one refuses every allocation.
struct NoAllocator;

// SAFETY: returning null is the documented way for an allocator to report failure.
unsafe impl core::alloc::GlobalAlloc for NoAllocator {
    unsafe fn alloc(&self, _layout: core::alloc::Layout) -> *mut u8 {
        core::ptr::null_mut()
    }

    unsafe fn dealloc(&self, _ptr: *mut u8, _layout: core::alloc::Layout) {}
}

#[global_allocator]
static ALLOCATOR: NoAllocator = NoAllocator;

#[panic_handler]
fn panic(_info: &core::panic::PanicInfo<'_>) -> ! {
    loop {}
}
