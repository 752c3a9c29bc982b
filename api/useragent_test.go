package api

import "testing"

func TestDeviceName(t *testing.T) {
	cases := []struct{ name, ua, want string }{
		{"chrome on mac", "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/114.0.0.0 Safari/537.36",
			"Mac; Mac OS X 10.15.7; Chrome 114.0.0"},
		{"safari on mac", "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/16.5 Safari/605.1.15",
			"Mac; Mac OS X 10.15.7; Safari 16.5"},
		{"safari on iphone", "Mozilla/5.0 (iPhone; CPU iPhone OS 16_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/16.5 Mobile/15E148 Safari/604.1",
			"iPhone; iOS 16.5; Mobile Safari 16.5"},
		{"chrome on ipad", "Mozilla/5.0 (iPad; CPU OS 16_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/114.0.5735.124 Mobile/15E148 Safari/604.1",
			"iPad; iOS 16.5; Chrome Mobile iOS 114.0.5735"},
		{"chrome on android", "Mozilla/5.0 (Linux; Android 13; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/114.0.0.0 Mobile Safari/537.36",
			"Pixel 7; Android 13; Chrome Mobile 114.0.0"},
		{"reduced android", "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/114.0.0.0 Mobile Safari/537.36",
			"Android; Android 10; Chrome Mobile 114.0.0"},
		{"edge on windows", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/114.0.0.0 Safari/537.36 Edg/114.0.1823.43",
			"PC; Windows 10; Edge 114.0.1823"},
		{"firefox on linux", "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:109.0) Gecko/20100101 Firefox/114.0",
			"PC; Linux; Firefox 114.0"},
		{"chromebook", "Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/114.0.0.0 Safari/537.36",
			"Chromebook; Chrome OS; Chrome 114.0.0"},
		{"unknown agent", "curl/8.1.2", "curl/8.1.2"},
		{"empty", "", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := deviceName(tc.ua); got != tc.want {
				t.Fatalf("deviceName = %q, want %q", got, tc.want)
			}
		})
	}
}
