package api

import (
	"regexp"
	"strings"
)

// deviceName describes the device behind a User-Agent the way the
// original named passkeys: "Mac; Mac OS X 10.15.7; Chrome 114.0.0"
// (device; operating system and version; browser and version, at most
// three version parts). The parse is loose: unknown parts are left out,
// and an unrecognisable agent is returned as it came. The domain cleans
// and shortens the result.
func deviceName(ua string) string {
	ua = strings.TrimSpace(ua)
	if ua == "" {
		return ""
	}
	dev, osName := uaPlatform(ua)
	parts := []string{}
	for _, p := range []string{dev, osName, uaBrowser(ua)} {
		if p != "" {
			parts = append(parts, p)
		}
	}
	if len(parts) == 0 {
		return ua
	}
	return strings.Join(parts, "; ")
}

var (
	reIOS       = regexp.MustCompile(`OS (\d+(?:[_.]\d+)*) like Mac OS X`)
	reMac       = regexp.MustCompile(`Mac OS X (\d+(?:[_.]\d+)*)`)
	reAndroid   = regexp.MustCompile(`Android (\d+(?:\.\d+)*)(?:; ([^;)]+?))?(?: Build/[^;)]*)?\)`)
	reWindowsNT = regexp.MustCompile(`Windows NT (\d+\.\d+)`)
)

var windowsNames = map[string]string{"10.0": "Windows 10", "6.3": "Windows 8.1", "6.2": "Windows 8", "6.1": "Windows 7"}

// uaPlatform returns the device and the operating system of ua.
func uaPlatform(ua string) (device, osName string) {
	switch {
	case strings.Contains(ua, "iPhone"), strings.Contains(ua, "iPad"), strings.Contains(ua, "iPod"):
		device = "iPhone"
		if strings.Contains(ua, "iPad") {
			device = "iPad"
		} else if strings.Contains(ua, "iPod") {
			device = "iPod"
		}
		return device, withVersion("iOS", submatch(reIOS, ua, 1))
	case strings.Contains(ua, "Android"):
		m := reAndroid.FindStringSubmatch(ua)
		device = "Android"
		if m != nil && m[2] != "" && m[2] != "K" && !strings.Contains(m[2], "Linux") {
			device = m[2]
		}
		return device, withVersion("Android", submatch(reAndroid, ua, 1))
	case strings.Contains(ua, "Macintosh"):
		return "Mac", withVersion("Mac OS X", submatch(reMac, ua, 1))
	case strings.Contains(ua, "Windows"):
		if name, ok := windowsNames[submatch(reWindowsNT, ua, 1)]; ok {
			return "PC", name
		}
		return "PC", "Windows"
	case strings.Contains(ua, "CrOS"):
		return "Chromebook", "Chrome OS"
	case strings.Contains(ua, "Linux"):
		return "PC", "Linux"
	}
	return "", ""
}

// uaBrowsers are tried in order: many agents name several browsers
// ("Edg/… Chrome/… Safari/…"), the most specific first.
var uaBrowsers = []struct {
	name string
	re   *regexp.Regexp
}{
	{"Edge", regexp.MustCompile(`Edg(?:e|A|iOS)?/(\d+(?:\.\d+)*)`)},
	{"Opera", regexp.MustCompile(`(?:OPR|Opera)/(\d+(?:\.\d+)*)`)},
	{"Samsung Internet", regexp.MustCompile(`SamsungBrowser/(\d+(?:\.\d+)*)`)},
	{"Yandex Browser", regexp.MustCompile(`YaBrowser/(\d+(?:\.\d+)*)`)},
	{"Firefox iOS", regexp.MustCompile(`FxiOS/(\d+(?:\.\d+)*)`)},
	{"Firefox", regexp.MustCompile(`Firefox/(\d+(?:\.\d+)*)`)},
	{"Chrome Mobile iOS", regexp.MustCompile(`CriOS/(\d+(?:\.\d+)*)`)},
	{"Chrome", regexp.MustCompile(`Chrome/(\d+(?:\.\d+)*)`)},
	{"Safari", regexp.MustCompile(`Version/(\d+(?:\.\d+)*).*Safari/`)},
}

// uaBrowser returns the browser and its version, or "".
func uaBrowser(ua string) string {
	for _, b := range uaBrowsers {
		if m := b.re.FindStringSubmatch(ua); m != nil {
			name := b.name
			if strings.Contains(ua, "Mobile") && (name == "Chrome" || name == "Safari") {
				name = "Mobile " + name
				if name == "Mobile Chrome" {
					name = "Chrome Mobile"
				}
			}
			return withVersion(name, m[1])
		}
	}
	return ""
}

func submatch(re *regexp.Regexp, s string, i int) string {
	if m := re.FindStringSubmatch(s); m != nil && len(m) > i {
		return m[i]
	}
	return ""
}

// withVersion appends version, with "_" read as "." and at most three
// parts, to name.
func withVersion(name, version string) string {
	if version == "" {
		return name
	}
	parts := strings.Split(strings.ReplaceAll(version, "_", "."), ".")
	if len(parts) > 3 {
		parts = parts[:3]
	}
	return name + " " + strings.Join(parts, ".")
}
